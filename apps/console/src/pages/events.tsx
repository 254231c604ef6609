import { type EventSearchResult } from '@strata/contracts';
import { useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Histogram } from '../components/histogram';
import { denseBuckets } from '../histogram-buckets';
import { TenantPicker } from '../components/tenant-picker';

const RANGES: Array<[string, number, string, number]> = [
  ['1 hour', 3600, '5m', 300],
  ['6 hours', 6 * 3600, '30m', 1800],
  ['1 day', 86400, '1h', 3600],
  ['7 days', 7 * 86400, '6h', 6 * 3600],
];

/** A dotted path of an archived event, or ''. */
function at(event: Record<string, unknown>, path: string): string {
  const v = path
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], event);
  return v === undefined || v === null ? '' : String(v);
}

/** Search of archived Kubernetes events or audit events, with a histogram and pages. */
export function EventsPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [kind, setKind] = useState<'events' | 'audit'>('events');
  const [range, setRange] = useState(0);
  const [text, setText] = useState('');
  const [namespace, setNamespace] = useState('');
  const [result, setResult] = useState<EventSearchResult | null>(null);
  const [buckets, setBuckets] = useState<Array<{ time: string; count: number }>>([]);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [error, setError] = useState<unknown>(null);

  const search = async (cursor: string | undefined, stack: Array<string | undefined>) => {
    setError(null);
    const end = Date.now();
    const [, seconds, interval, stepSeconds] = RANGES[range];
    try {
      const { body } = await call<EventSearchResult>(
        session,
        `/api/v1/${kind}/search${query({
          start: new Date(end - seconds * 1000).toISOString(),
          end: new Date(end).toISOString(),
          q: text,
          namespace,
          interval,
          limit: 50,
          cursor,
        })}`,
        { tenant },
      );
      setResult(body);
      setBuckets(denseBuckets(body.histogram ?? [], end - seconds * 1000, end, stepSeconds * 1000));
      setCursors(stack);
    } catch (err) {
      setResult(null);
      setError(err);
    }
  };

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events and audit search</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <form
        class="query-form"
        aria-label="Search events"
        onSubmit={(e) => {
          e.preventDefault();
          void search(undefined, [undefined]);
        }}
      >
        <label>
          Archive
          <select
            aria-label="Archive"
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value as 'events' | 'audit')}
          >
            <option value="events">Kubernetes events</option>
            <option value="audit">Kubernetes audit</option>
          </select>
        </label>
        <label>
          Time range
          <select
            aria-label="Time range"
            value={range}
            onChange={(e) => setRange(Number((e.target as HTMLSelectElement).value))}
          >
            {RANGES.map(([label], i) => (
              <option key={label} value={i}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text
          <input
            name="text"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Namespace
          <input
            name="namespace"
            value={namespace}
            onInput={(e) => setNamespace((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={!tenant}>
          Search
        </button>
      </form>
      <ErrorBanner error={error} />
      {result && (
        <div class="result" aria-live="polite">
          <p class="total" data-total={result.total}>
            {result.total} matching
          </p>
          <Histogram label={`Matches per ${RANGES[range][2]}`} buckets={buckets} />
          <div class="table-wrap">
            <table aria-label="Matching events">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Cluster</th>
                  <th scope="col">Namespace</th>
                  <th scope="col">{kind === 'events' ? 'Reason' : 'Verb'}</th>
                  <th scope="col">{kind === 'events' ? 'Message' : 'URI'}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((i, n) => (
                  <tr key={`${i.time}-${n}`}>
                    <td>{i.time}</td>
                    <td>{i.cluster}</td>
                    <td>
                      {at(
                        i.event,
                        kind === 'events' ? 'involvedObject.namespace' : 'objectRef.namespace',
                      )}
                    </td>
                    <td>{at(i.event, kind === 'events' ? 'reason' : 'verb')}</td>
                    <td>{at(i.event, kind === 'events' ? 'message' : 'requestURI')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              disabled={cursors.length < 2}
              onClick={() => void search(cursors[cursors.length - 2], cursors.slice(0, -1))}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!result.nextCursor}
              onClick={() =>
                void search(result.nextCursor ?? undefined, [
                  ...cursors,
                  result.nextCursor ?? undefined,
                ])
              }
            >
              Next page
            </button>
          </nav>
        </div>
      )}
    </section>
  );
}
