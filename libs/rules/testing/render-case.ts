import { type QueryFunc } from '../src/query/query-func';
import { caseAlertName } from './record-prometheus';
import { expandAlertTemplate } from '../src/template/expander';
import { type TemplateContext } from '../src/template/prometheus-funcs';
import { type TemplateCase } from './template-cases';

/**
 * Renders one case as our alerting rule would: the case expression's only sample gives `$labels`
 * and `$value`, rule labels are expanded and merged, `alertname` added. Prometheus trims the
 * trailing slash of `--web.external-url`, so templates see it without.
 */
export async function renderCase(
  c: TemplateCase,
  setup: { expr: string; externalURL: string; externalLabels: Record<string, string> },
  query: QueryFunc,
): Promise<{ out: string; labels: Record<string, string> }> {
  const timeMs = Date.now();
  const [sample] = await query(setup.expr, timeMs);
  const externalURL = setup.externalURL.replace(/\/$/, '');
  const ctx: TemplateContext = {
    timeMs,
    externalURL,
    query: async (q, t) =>
      (await query(q, t)).map((s) => ({ labels: s.labels.toRecord(), value: s.value })),
  };
  const data = {
    labels: sample.labels.toRecord(),
    externalLabels: setup.externalLabels,
    externalURL,
    value: sample.value,
  };
  const name = caseAlertName(c);
  const labels: Record<string, string> = { ...sample.labels.toRecord() };
  for (const [k, v] of Object.entries(c.labels ?? {}))
    labels[k] = await expandAlertTemplate(name, v, data, ctx);
  labels.alertname = name;
  return { out: await expandAlertTemplate(name, c.template, data, ctx), labels };
}
