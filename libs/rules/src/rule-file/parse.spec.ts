import { checkRuleFile } from './check';
import { ruleGroupSchema } from './model';
import { parseRuleFile } from './parse';

const group = (rules: string[], extra = ''): string =>
  `groups:\n  - name: g\n${extra}    rules:\n${rules.map((r) => `      - ${r}\n`).join('')}`;

describe('parseRuleFile', () => {
  it('returns typed groups with durations in milliseconds and rules told apart by kind', () => {
    const parsed = parseRuleFile(
      group(
        [
          'record: job:up\n        expr: sum by (job) (up)\n        labels: {team: a}',
          'alert: Down\n        expr: up == 0\n        for: 5m\n        keep_firing_for: 1m\n        annotations: {summary: "{{ $labels.job }}"}',
        ],
        '    interval: 30s\n    query_offset: 1m\n    limit: 10\n',
      ),
    );
    expect(parsed).toEqual({
      ok: true,
      groups: [
        {
          name: 'g',
          intervalMs: 30_000,
          queryOffsetMs: 60_000,
          limit: 10,
          rules: [
            {
              kind: 'recording',
              record: 'job:up',
              expr: 'sum by (job) (up)',
              labels: { team: 'a' },
            },
            {
              kind: 'alerting',
              alert: 'Down',
              expr: 'up == 0',
              forMs: 300_000,
              keepFiringForMs: 60_000,
              labels: {},
              annotations: { summary: '{{ $labels.job }}' },
            },
          ],
        },
      ],
    });
    if (parsed.ok) expect(() => ruleGroupSchema.parse(parsed.groups[0])).not.toThrow();
  });

  it('leaves interval and query_offset to the global settings when the file does not set them', () => {
    const parsed = parseRuleFile(group(['record: a\n        expr: up']));
    expect(parsed.ok && parsed.groups[0]).toEqual({
      name: 'g',
      limit: 0,
      rules: [{ kind: 'recording', record: 'a', expr: 'up', labels: {} }],
    });
  });

  it('refuses query_offset the way Prometheus 2.42 does when asked to', () => {
    const parsed = parseRuleFile(group(['record: a\n        expr: up'], '    query_offset: 1m\n'), {
      queryOffset: false,
    });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        {
          message:
            'yaml: unmarshal errors:\n  line 3: field query_offset not found in type rulefmt.RuleGroup',
        },
      ],
    });
  });

  it('allows 40 rules per group by default and names the group that has more', () => {
    const rules = (n: number): string[] =>
      Array.from({ length: n }, (_, i) => `record: r${i}\n        expr: up`);
    expect(parseRuleFile(group(rules(40))).ok).toBe(true);
    expect(parseRuleFile(group(rules(41)))).toEqual({
      ok: false,
      problems: [
        {
          message: '2:5: group "g": 41 rules, more than the limit of 40 rules per group',
          group: 'g',
        },
      ],
    });
    expect(parseRuleFile(group(rules(41)), { maxRulesPerGroup: 50 }).ok).toBe(true);
    expect(parseRuleFile(group(rules(3)), { maxRulesPerGroup: 2 }).ok).toBe(false);
    expect(parseRuleFile(group(rules(100)), { maxRulesPerGroup: 0 }).ok).toBe(true);
  });

  it('accepts UTF-8 names under Prometheus 3 validation but still refuses braces in a record name', () => {
    const file = group([
      'record: "http.requests rate"\n        expr: up\n        labels: {"team name": a}',
      'record: "a{b}"\n        expr: up',
    ]);
    expect(parseRuleFile(file).ok).toBe(false);
    const parsed = parseRuleFile(file, { nameValidation: 'utf8' });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          rule: 2,
          message: expect.stringContaining(
            'braces present in the recording rule name; should it be in expr?: a{b}',
          ),
        }),
      ],
    });
  });

  it('reports an unknown template function with the rule and the reason', () => {
    const parsed = parseRuleFile(
      group(['alert: A\n        expr: up\n        annotations: {s: "{{ nope $value }}"}']),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        {
          message:
            'group "g", rule 1, "A": annotation "s": template: __alert_A:1: function "nope" not defined',
          group: 'g',
          rule: 1,
          ruleName: 'A',
        },
      ],
    });
  });
});

describe('checkRuleFile', () => {
  it('prints what promtool prints for a valid file', () => {
    expect(checkRuleFile('r.yml', group(['record: a\n        expr: up']))).toEqual({
      exitCode: 0,
      stdout: 'Checking r.yml\n  SUCCESS: 1 rules found\n\n',
      stderr: '',
      problems: [],
      lint: null,
    });
  });
});
