import { type PipelineStats, type PipelineView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';

/** The components of a pipeline in the order its DAG wires them: transforms, then sinks. */
function components(
  p: PipelineView,
): Array<{ id: string; kind: string; type: string; inputs: string }> {
  const row =
    (kind: string) =>
    ([id, spec]: [string, { type: string; inputs?: string[] }]) => ({
      id,
      kind,
      type: spec.type,
      inputs: (spec.inputs ?? []).join(', '),
    });
  return [
    ...Object.entries(
      p.pipeline.transforms as Record<string, { type: string; inputs?: string[] }>,
    ).map(row('transform')),
    ...Object.entries(p.pipeline.sinks as Record<string, { type: string; inputs?: string[] }>).map(
      row('sink'),
    ),
  ];
}

/** How often the page reads the counters again; rates are over the time between two readings. */
const REFRESH_MS = 3_000;

/** The last two readings of one pipeline's counters. */
interface Readings {
  last: PipelineStats;
  before: PipelineStats | null;
}

/**
 * Per-second rates between two readings; a counter that went back (a logflow replica restarted)
 * reads 0. The console's bundle takes types only from contracts, so the CLI's copy of this
 * arithmetic (`throughputRates` in contracts) cannot be imported here.
 */
function rates(r: Readings): { in: number; out: number; errors: number } | null {
  if (!r.before) return null;
  const seconds = (r.last.readAt - r.before.readAt) / 1000;
  if (seconds <= 0) return null;
  const rate = (pick: (s: PipelineStats) => number) =>
    Math.max(0, pick(r.last) - pick(r.before as PipelineStats)) / seconds;
  return {
    in: rate((s) => s.totals.receivedEvents),
    out: rate((s) => s.totals.sentEvents),
    errors: rate((s) => s.totals.deadEvents + s.totals.failedSends),
  };
}

const perSecond = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));

/** Reads every listed pipeline's counters now and {@link REFRESH_MS} after each round, keeping two readings each. */
function usePipelineStats(session: Session, tenant: string | null, names: string[]) {
  const [readings, setReadings] = useState<Record<string, Readings>>({});
  const [error, setError] = useState<unknown>(null);
  const key = names.join(',');
  useEffect(() => {
    setReadings({});
    if (!tenant || names.length === 0) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const readOne = async (name: string) => {
      try {
        const { body } = await call<PipelineStats>(
          session,
          `/api/v1/logs/pipelines/${encodeURIComponent(name)}/stats`,
          { tenant },
        );
        if (stopped) return;
        setReadings((all) => ({
          ...all,
          [name]: { last: body, before: all[name]?.last ?? null },
        }));
        setError(null);
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    // All at once (each answer waits for the replicas), and the next round only after this one,
    // so slow answers never pile up.
    const read = async () => {
      await Promise.all(names.map(readOne));
      if (!stopped) timer = setTimeout(() => void read(), REFRESH_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session, tenant, key]);
  return { readings, error };
}

/** The tenant's log pipelines; one opens to its transforms, sinks and the whole spec. */
export function PipelinesPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [pipelines, setPipelines] = useState<PipelineView[]>([]);
  const [open, setOpen] = useState<PipelineView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!tenant) return;
    setOpen(null);
    call<{ items: PipelineView[] }>(session, `/api/v1/admin/tenants/${tenant}/log-pipelines`)
      .then(({ body }) => setPipelines(body.items))
      .catch(setError);
  }, [session, tenant]);
  const view = async (name: string) => {
    try {
      setOpen(
        (await call<PipelineView>(session, `/api/v1/admin/tenants/${tenant}/log-pipelines/${name}`))
          .body,
      );
    } catch (err) {
      setError(err);
    }
  };
  const stats = usePipelineStats(
    session,
    tenant,
    pipelines.map((p) => p.pipeline.name),
  );
  const openStats = open ? stats.readings[open.pipeline.name] : undefined;
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title">Log pipelines</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <ErrorBanner error={error} />
      <ErrorBanner error={stats.error} />
      <div class="table-wrap">
        <table aria-label="Log pipelines">
          <caption>{pipelines.length} pipelines</caption>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Transforms</th>
              <th scope="col">Sinks</th>
              <th scope="col">Events in</th>
              <th scope="col">In /s</th>
              <th scope="col">Out /s</th>
              <th scope="col">Errors /s</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((p) => {
              const r = stats.readings[p.pipeline.name];
              const rate = r ? rates(r) : null;
              return (
                <tr key={p.pipeline.name} data-pipeline={p.pipeline.name}>
                  <td>
                    <button type="button" class="link" onClick={() => void view(p.pipeline.name)}>
                      {p.pipeline.name}
                    </button>
                  </td>
                  <td>{Object.keys(p.pipeline.transforms).length}</td>
                  <td data-field="sinks">{Object.keys(p.pipeline.sinks).join(', ')}</td>
                  <td data-field="receivedEvents">{r ? r.last.totals.receivedEvents : '-'}</td>
                  <td data-field="inPerSecond">{perSecond(rate?.in)}</td>
                  <td data-field="outPerSecond">{perSecond(rate?.out)}</td>
                  <td data-field="errorsPerSecond">{perSecond(rate?.errors)}</td>
                  <td>{p.version}</td>
                  <td>{p.updatedAt}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {open && (
        <article aria-labelledby="pipeline-title">
          <h2 id="pipeline-title">Pipeline {open.pipeline.name}</h2>
          <div class="table-wrap">
            <table aria-label={`Components of ${open.pipeline.name}`}>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Type</th>
                  <th scope="col">Inputs</th>
                </tr>
              </thead>
              <tbody>
                {components(open).map((c) => (
                  <tr key={c.id} data-component={c.id}>
                    <td>{c.id}</td>
                    <td>{c.kind}</td>
                    <td data-field="type">{c.type}</td>
                    <td>{c.inputs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {openStats && <Throughput stats={openStats.last} />}
          <pre class="spec" aria-label="Pipeline spec">
            {JSON.stringify(open.pipeline, null, 2)}
          </pre>
        </article>
      )}
    </section>
  );
}

/** One reading of a pipeline's counters: the whole pipeline, then each sink. */
function Throughput({ stats }: { stats: PipelineStats }) {
  const t = stats.totals;
  return (
    <div class="table-wrap">
      <table aria-label={`Throughput of ${stats.pipeline}`}>
        <caption>
          Counted by {stats.replicas.length} logflow{' '}
          {stats.replicas.length === 1 ? 'replica since it' : 'replicas since each'} started; read
          at {new Date(stats.readAt).toISOString()}
        </caption>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Events in</th>
            <th scope="col">Bytes in</th>
            <th scope="col">Sent</th>
            <th scope="col">Dead-lettered</th>
            <th scope="col">Failed sends</th>
          </tr>
        </thead>
        <tbody>
          <tr data-throughput="pipeline">
            <th scope="row">whole pipeline</th>
            <td data-field="receivedEvents">{t.receivedEvents}</td>
            <td data-field="receivedBytes">{t.receivedBytes}</td>
            <td data-field="sentEvents">{t.sentEvents}</td>
            <td data-field="deadEvents">{t.deadEvents}</td>
            <td data-field="failedSends">{t.failedSends}</td>
          </tr>
          {Object.entries(t.sinks).map(([id, s]) => (
            <tr key={id} data-throughput={id}>
              <th scope="row">sink {id}</th>
              <td data-field="receivedEvents">{s.receivedEvents}</td>
              <td>-</td>
              <td data-field="sentEvents">{s.sentEvents}</td>
              <td data-field="deadEvents">{s.deadEvents}</td>
              <td data-field="failedSends">{s.failedSends}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
