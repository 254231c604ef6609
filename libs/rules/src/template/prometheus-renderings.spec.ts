// Our renderings of the template case table against what Debian's Prometheus rendered for the same
// templates (recorded by tools/rules-templates/record.ts into testdata/prometheus-renderings.json).
import { Engine, MemoryQueryable } from '@strata/promql';
import { engineQueryFunc } from '../query/query-func';
import { expandAlertTemplate } from './expander';
import { type TemplateContext } from './prometheus-funcs';
import recorded from './testdata/prometheus-renderings.json';
import { TEMPLATE_CASES } from '../../testing/template-cases';
import { renderCase } from '../../testing/render-case';

const query = engineQueryFunc(new Engine(), new MemoryQueryable());

describe('template renderings recorded from Prometheus', () => {
  it('covers every case of the table', () => {
    expect(recorded.renderings.map((r) => r.name)).toEqual(TEMPLATE_CASES.map((c) => c.name));
  });

  it.each(recorded.renderings.map((r) => [r.name, r] as const))(
    '%s renders as Prometheus rendered it',
    async (_name, r) => {
      const c = TEMPLATE_CASES.find((x) => x.name === r.name)!;
      expect(c.template).toBe(r.template);
      const ours = await renderCase(c, recorded, query);
      expect(ours.out).toBe(r.out);
      expect(ours.labels).toEqual(r.labels);
    },
  );

  it('reports a template error inside the annotation instead of failing the alert', async () => {
    const ctx: TemplateContext = { timeMs: 0, externalURL: 'http://x' };
    const data = { labels: {}, externalLabels: {}, externalURL: 'http://x', value: 1 };
    await expect(expandAlertTemplate('A', '{{ first (query "up") }}', data, ctx)).resolves.toMatch(
      /^<error expanding template: error executing template __alert_A: .*runtime error: invalid memory address or nil pointer dereference>$/,
    );
  });
});
