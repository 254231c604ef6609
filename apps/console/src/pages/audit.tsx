import { type AuditEntry, type ControlPlaneSnapshot, type Page } from '@strata/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Pager, useCursorHistory } from '../components/pager';

interface Filters {
  tenant: string;
  actor: string;
  type: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { tenant: '', actor: '', type: '', from: '', to: '' };

/** `datetime-local` values are local wall-clock times; the API wants RFC 3339 instants. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The audit trail with filters, the hash chain's verification and the state as of an instant. */
export function AuditPage({ session }: { session: Session }) {
  const [draft, setDraft] = useState<Filters>({ ...EMPTY, tenant: session.tenantId ?? '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const pages = useCursorHistory();
  const cursor = pages.cursor;
  const [page, setPage] = useState<Page<AuditEntry>>({ items: [], nextCursor: null });
  const [error, setError] = useState<unknown>(null);
  const [verdict, setVerdict] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    call<Page<AuditEntry>>(
      session,
      `/api/v1/admin/audit${query({
        tenant: filters.tenant,
        actor: filters.actor,
        type: filters.type,
        from: instant(filters.from),
        to: instant(filters.to),
        limit: 50,
        cursor,
      })}`,
    )
      .then(({ body }) => setPage(body))
      .catch(setError);
  }, [session, filters, cursor]);

  const verify = async () => {
    setVerdict(null);
    try {
      const { body } = await call<{ ok: boolean; checkedEvents: number; reason: string | null }>(
        session,
        '/api/v1/admin/audit/verify',
      );
      setVerdict(
        body.ok
          ? `The hash chain is intact: ${body.checkedEvents} events checked.`
          : `The hash chain is broken: ${body.reason ?? 'no reason given'}`,
      );
    } catch (err) {
      setError(err);
    }
  };

  const field = (name: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={draft[name]}
        onInput={(e) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      <form
        class="inline-form"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setFilters(draft);
        }}
      >
        {field('tenant', 'Tenant')}
        {field('actor', 'Actor')}
        {field('type', 'Event type')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit">Filter</button>
      </form>
      {session.kind === 'admin' && (
        <p>
          <button type="button" onClick={() => void verify()}>
            Verify the hash chain
          </button>{' '}
          {verdict && <span role="status">{verdict}</span>}
        </p>
      )}
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table>
          <caption>Audit events, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Recorded</th>
              <th scope="col">Type</th>
              <th scope="col">Tenant</th>
              <th scope="col">Actor</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((e) => (
              <tr key={e.position}>
                <td>{e.position}</td>
                <td>{new Date(e.recordedAt).toLocaleString()}</td>
                <td class="audit-type">{e.type}</td>
                <td>{e.tenantId ?? '—'}</td>
                <td>{e.actor}</td>
                <td>{e.sourceAddress}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        hasPrevious={pages.hasPrevious}
        hasNext={page.nextCursor !== null}
        onPrevious={pages.previous}
        onNext={() => pages.next(page.nextCursor)}
      />
      {session.kind === 'admin' && <AsOf session={session} />}
    </section>
  );
}

/** The control plane replayed to an instant: each tenant's quota as it was then. */
function AsOf({ session }: { session: Session }) {
  const [at, setAt] = useState('');
  const [latest, setLatest] = useState(0);
  const [position, setPosition] = useState(0);
  const [snapshot, setSnapshot] = useState<ControlPlaneSnapshot | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Moving the slider fires a replay per step; only the latest request's answer is shown.
  const latestRequest = useRef(0);
  const load = async (params: { at?: string; position?: number }) => {
    const request = ++latestRequest.current;
    setError(null);
    try {
      const { body } = await call<ControlPlaneSnapshot>(
        session,
        `/api/v1/admin/audit/replay${query(params)}`,
      );
      if (request === latestRequest.current) {
        setSnapshot(body);
        setPosition(body.asOfPosition);
      }
      return body;
    } catch (err) {
      if (request === latestRequest.current) setError(err);
      return null;
    }
  };
  // The slider's end is the trail's last position: the state as of now.
  useEffect(() => {
    void load({ at: new Date().toISOString() }).then((now) => now && setLatest(now.asOfPosition));
  }, [session]);
  const replay = async (e: Event) => {
    e.preventDefault();
    await load({ at: instant(at) });
  };
  return (
    <section class="panel" aria-labelledby="asof-title">
      <h2 id="asof-title">As of an instant</h2>
      <label class="slider">
        Position in the audit trail: {position} of {latest}
        <input
          type="range"
          name="position"
          min={1}
          max={latest}
          step={1}
          value={position}
          disabled={latest === 0}
          onInput={(e) => setPosition(Number((e.target as HTMLInputElement).value))}
          onChange={(e) => void load({ position: Number((e.target as HTMLInputElement).value) })}
        />
      </label>
      <form class="inline-form" onSubmit={(e) => void replay(e)}>
        <label>
          Instant
          <input
            type="datetime-local"
            step="0.001"
            name="at"
            required
            value={at}
            onInput={(e) => setAt((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Replay</button>
      </form>
      <ErrorBanner error={error} />
      {snapshot && (
        <table>
          <caption>
            State at position {snapshot.asOfPosition}
            {snapshot.asOfTime && `, ${new Date(snapshot.asOfTime).toLocaleString()}`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Status</th>
              <th scope="col">Max active series</th>
              <th scope="col">Keys</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.tenants.map((t) => (
              <tr key={t.tenantId} data-tenant={t.tenantId}>
                <td>{t.tenantId}</td>
                <td>{t.status}</td>
                <td data-field="maxActiveSeries">{t.quota.maxActiveSeries}</td>
                <td>{t.apiKeys.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
