import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';
import { type ChartSeries, TimeSeriesChart } from '../components/time-series-chart';
import { completions } from '../completions';

const RANGES: Array<[string, number]> = [
  ['5 minutes', 300],
  ['15 minutes', 900],
  ['1 hour', 3600],
  ['6 hours', 6 * 3600],
  ['1 day', 86400],
  ['7 days', 7 * 86400],
];

interface MatrixAnswer {
  status: 'success';
  data: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
  };
  warnings?: string[];
}

/** Prometheus' way of writing a series: `name{label="value", ...}`. */
export function seriesLabel(metric: Record<string, string>): string {
  const { __name__: name = '', ...rest } = metric;
  const labels = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return labels ? `${name}{${labels}}` : name || '{}';
}

/** The PromQL explorer: an expression over a range, as a graph and a table. */
export function ExplorerPage({ session }: { session: Session }) {
  // Links from other pages (a model's serving workloads) open the explorer on a query.
  const linked = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const [tenant, setTenant] = useState<string | null>(session.tenantId ?? linked.get('tenant'));
  const [expr, setExpr] = useState(linked.get('expr') ?? '');
  const [range, setRange] = useState(3600);
  const [step, setStep] = useState('');
  const [names, setNames] = useState<string[]>([]);
  const [labelNames, setLabelNames] = useState<string[]>([]);
  const [result, setResult] = useState<{
    series: ChartSeries[];
    warnings: string[];
    stats: { points: number; step: number; ms: number };
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [stacked, setStacked] = useState(false);

  useEffect(() => {
    if (!tenant) return;
    call<{ data: string[] }>(session, '/api/v1/label/__name__/values', { tenant })
      .then(({ body }) => setNames(body.data))
      .catch(() => setNames([]));
    call<{ data: string[] }>(session, '/api/v1/labels', { tenant })
      .then(({ body }) => setLabelNames(body.data.filter((n) => n !== '__name__')))
      .catch(() => setLabelNames([]));
  }, [session, tenant]);

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const end = Math.floor(Date.now() / 1000);
      const stepSeconds = step ? Number(step) : Math.max(1, Math.round(range / 250));
      const started = performance.now();
      const { body } = await call<MatrixAnswer>(
        session,
        `/api/v1/query_range${query({ query: expr, start: end - range, end, step: stepSeconds })}`,
        { tenant },
      );
      const series: ChartSeries[] = body.data.result.map((r) => ({
        label: seriesLabel(r.metric),
        points: r.values.map(([t, v]) => [t, Number(v)]),
      }));
      setResult({
        series,
        warnings: body.warnings ?? [],
        stats: {
          points: series.reduce((n, s) => n + s.points.length, 0),
          step: stepSeconds,
          ms: Math.round(performance.now() - started),
        },
      });
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="explorer-title">
      <h1 id="explorer-title">PromQL explorer</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <form class="query-form" aria-label="Range query" onSubmit={(e) => void run(e)}>
        <label class="wide">
          Expression
          <input
            name="expression"
            list="expression-completions"
            autocomplete="off"
            spellcheck={false}
            required
            value={expr}
            onInput={(e) => setExpr((e.target as HTMLInputElement).value)}
          />
        </label>
        <datalist id="expression-completions">
          {completions(expr, names, labelNames).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <label>
          Range
          <select
            aria-label="Range"
            value={range}
            onChange={(e) => setRange(Number((e.target as HTMLSelectElement).value))}
          >
            {RANGES.map(([label, seconds]) => (
              <option key={seconds} value={seconds}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Step (seconds)
          <input
            name="step"
            type="number"
            min="1"
            placeholder="auto"
            value={step}
            onInput={(e) => setStep((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={stacked}
            onChange={(e) => setStacked((e.target as HTMLInputElement).checked)}
          />
          Stacked
        </label>
        <button type="submit" disabled={busy || !tenant}>
          Run query
        </button>
      </form>
      <ErrorBanner error={error} />
      {result && (
        <div class="result" aria-live="polite">
          <p class="stats" aria-label="Query stats">
            <span data-stat="series">{result.series.length} series</span>,{' '}
            <span data-stat="points">{result.stats.points} points</span> at a{' '}
            <span data-stat="step">{result.stats.step}s</span> step, answered in{' '}
            <span data-stat="ms">{result.stats.ms} ms</span>
          </p>
          {result.warnings.map((w) => (
            <p key={w} class="warning" role="note">
              {w}
            </p>
          ))}
          <TimeSeriesChart series={result.series} title={expr} stacked={stacked} />
          <div class="table-wrap">
            <table class="series-table">
              <caption>{result.series.length} series; the last value of each in the range</caption>
              <thead>
                <tr>
                  <th scope="col">Series</th>
                  <th scope="col">Last value</th>
                  <th scope="col">Points</th>
                </tr>
              </thead>
              <tbody>
                {result.series.map((s) => (
                  <tr key={s.label}>
                    <td class="series-name">{s.label}</td>
                    <td class="series-value">{String(s.points[s.points.length - 1]?.[1] ?? '')}</td>
                    <td>{s.points.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
