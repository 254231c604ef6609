import { type LogMetricSpec } from '@strata/contracts';
import { compilePath, getText } from '../record-path';
import { simpleTransform, type Transform } from './transform';

/** `log_to_metric`: counts records into counter series by label values; records pass through unchanged. */
export function logToMetricTransform(metrics: LogMetricSpec[]): Transform {
  const compiled = metrics.map((m) => ({
    name: m.name,
    labels: Object.entries(m.labels).map(([name, path]) => ({ name, path: compilePath(path) })),
  }));
  return simpleTransform((records, ctx) => {
    for (const m of compiled) {
      const counts = new Map<
        string,
        { labels: Array<{ name: string; value: string }>; n: number }
      >();
      for (const r of records) {
        const labels = m.labels.map((l) => ({ name: l.name, value: getText(r, l.path) }));
        const key = JSON.stringify(labels);
        const c = counts.get(key);
        if (c) c.n++;
        else counts.set(key, { labels, n: 1 });
      }
      for (const c of counts.values()) ctx.metrics.add(m.name, c.labels, c.n);
    }
    return [...records];
  });
}
