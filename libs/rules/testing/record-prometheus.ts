import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrometheus } from '@strata/devstack';
import { stringify } from 'yaml';
import {
  CASE_EXPR,
  CASE_EXTERNAL_LABELS,
  CASE_EXTERNAL_URL,
  type TemplateCase,
} from './template-cases';

/** What Prometheus rendered for one case: the alert's labels and its `out` annotation. */
export interface RecordedRendering {
  name: string;
  template: string;
  labels: Record<string, string>;
  out: string;
}

/** A recording: Prometheus' version and one rendering per case, in case order. */
export interface RecordedRenderings {
  prometheusVersion: string;
  externalURL: string;
  externalLabels: Record<string, string>;
  expr: string;
  renderings: RecordedRendering[];
}

/** The alert name a case's rule gets, so templates' error texts name it the same on both sides. */
export function caseAlertName(c: TemplateCase): string {
  return `T_${c.name}`;
}

const run = promisify(execFile);

/**
 * Runs Debian's `prometheus` with one alerting rule per case (`for: 0`, so each fires at the first
 * evaluation) and reads what it rendered from `/api/v1/alerts`. The rule file is checked with
 * `promtool check rules` first so a case Prometheus refuses names itself.
 */
export async function recordPrometheusRenderings(
  cases: readonly TemplateCase[],
  binaries: { prometheus?: string; promtool?: string } = {},
): Promise<RecordedRenderings> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-rules-templates-'));
  try {
    const rulesFile = join(dir, 'rules.yml');
    const rules = {
      groups: [
        {
          name: 'templates',
          interval: '1s',
          rules: cases.map((c) => ({
            alert: caseAlertName(c),
            expr: CASE_EXPR,
            ...(c.labels ? { labels: c.labels } : {}),
            annotations: { out: c.template },
          })),
        },
      ],
    };
    await writeFile(
      rulesFile,
      stringify(rules, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE' }),
    );
    try {
      await run(binaries.promtool ?? 'promtool', ['check', 'rules', rulesFile]);
    } catch (e) {
      throw new Error(
        `promtool refuses the case rules: ${(e as { stdout?: string; stderr?: string }).stderr ?? String(e)}`,
      );
    }
    const config = stringify({
      global: { evaluation_interval: '1s', external_labels: CASE_EXTERNAL_LABELS },
      rule_files: [rulesFile],
    });
    const prom = await startPrometheus({
      binary: binaries.prometheus,
      dir,
      config,
      flags: [
        `--web.external-url=${CASE_EXTERNAL_URL}`,
        '--web.route-prefix=/',
        '--log.level=error',
      ],
    });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()) as {
          data: {
            alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
          };
        };
        const byName = new Map(res.data.alerts.map((a) => [a.labels.alertname, a]));
        if (cases.every((c) => byName.has(caseAlertName(c)))) {
          return {
            prometheusVersion: prom.version,
            externalURL: CASE_EXTERNAL_URL,
            externalLabels: { ...CASE_EXTERNAL_LABELS },
            expr: CASE_EXPR,
            renderings: cases.map((c) => {
              const a = byName.get(caseAlertName(c));
              return {
                name: c.name,
                template: c.template,
                labels: a?.labels ?? {},
                out: a?.annotations.out ?? '',
              };
            }),
          };
        }
        if (Date.now() > deadline)
          throw new Error(
            `prometheus fired ${byName.size} of ${cases.length} case alerts within 60 s`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await prom.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
