import {
  type Page,
  type QuotaSpec,
  type QuotaView,
  type TenantUserStats,
  type TenantView,
} from '@strata/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Pager, useCursorHistory } from '../components/pager';

const PAGE_SIZE = 20;

/** The quota fields the console edits; the API keeps the others as they are (PATCH). */
const EDITABLE: Array<keyof QuotaSpec> = [
  'maxActiveSeries',
  'ingestionRateSamplesPerSecond',
  'ingestionBurstSamples',
  'maxSeriesPerQuery',
  'maxQueryRangeSeconds',
  'retentionRawSeconds',
];

interface Row {
  tenant: TenantView;
  quota: QuotaView | null;
}

/**
 * Tenants with their quotas: create a tenant, set a quota after confirming the change, and open a
 * tenant to see its use against its limits, rename, suspend, resume or delete it.
 */
export function TenantsPage({ session }: { session: Session }) {
  const [rows, setRows] = useState<Row[]>([]);
  const pages = useCursorHistory();
  const cursor = pages.cursor;
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Row | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const load = async () => {
      const tenants =
        session.kind === 'admin'
          ? (
              await call<Page<TenantView>>(
                session,
                `/api/v1/admin/tenants${query({ limit: PAGE_SIZE, cursor })}`,
              )
            ).body
          : {
              items: [
                (await call<TenantView>(session, `/api/v1/admin/tenants/${session.tenantId}`)).body,
              ],
              nextCursor: null,
            };
      const withQuotas = await Promise.all(
        tenants.items.map(async (tenant) => ({
          tenant,
          quota: await call<QuotaView>(session, `/api/v1/admin/tenants/${tenant.tenantId}/quota`)
            .then((a) => a.body)
            .catch(() => null),
        })),
      );
      setRows(withQuotas);
      setNext(tenants.nextCursor);
    };
    setError(null);
    load().catch(setError);
  }, [session, cursor, reload]);

  const selectedRow = rows.find((r) => r.tenant.tenantId === selected);

  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      {session.kind === 'admin' && (
        <CreateTenant session={session} onCreated={() => setReload((r) => r + 1)} />
      )}
      <ErrorBanner error={error} />
      {selectedRow && (
        <TenantPanel
          key={`${selectedRow.tenant.tenantId}@${selectedRow.tenant.version}`}
          session={session}
          row={selectedRow}
          onChanged={() => setReload((r) => r + 1)}
          onClose={() => setSelected(null)}
        />
      )}
      <div class="table-wrap">
        <table>
          <caption>Tenants and their quotas</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Max active series</th>
              <th scope="col">Ingestion rate (samples/s)</th>
              <th scope="col">Quota version</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.tenant.tenantId} data-tenant={row.tenant.tenantId}>
                <td>{row.tenant.tenantId}</td>
                <td data-field="displayName">{row.tenant.displayName}</td>
                <td data-field="status">{row.tenant.status}</td>
                <td data-field="maxActiveSeries">{row.quota?.quota.maxActiveSeries ?? '—'}</td>
                <td>{row.quota?.quota.ingestionRateSamplesPerSecond ?? '—'}</td>
                <td>{row.quota?.version ?? '—'}</td>
                <td>
                  <button type="button" onClick={() => setSelected(row.tenant.tenantId)}>
                    Manage<span class="visually-hidden"> {row.tenant.tenantId}</span>
                  </button>{' '}
                  {session.kind === 'admin' && row.quota && (
                    <button type="button" onClick={() => setEditing(row)}>
                      Set quota<span class="visually-hidden"> of {row.tenant.tenantId}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        hasPrevious={pages.hasPrevious}
        hasNext={next !== null}
        onPrevious={pages.previous}
        onNext={() => pages.next(next)}
      />
      {editing?.quota && (
        <QuotaEditor
          session={session}
          quota={editing.quota}
          onDone={() => {
            setEditing(null);
            setReload((r) => r + 1);
          }}
        />
      )}
    </section>
  );
}

function CreateTenant({ session, onCreated }: { session: Session; onCreated: () => void }) {
  const [tenantId, setTenantId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      await call(session, '/api/v1/admin/tenants', {
        method: 'POST',
        body: { tenantId, displayName: displayName || tenantId },
      });
      setDone(`Tenant ${tenantId} created.`);
      setTenantId('');
      setDisplayName('');
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create a tenant">
      <label>
        Tenant id
        <input
          required
          value={tenantId}
          onInput={(e) => setTenantId((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        Display name
        <input
          value={displayName}
          onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Create tenant</button>
      {done && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
      <ErrorBanner error={error} />
    </form>
  );
}

function QuotaEditor(props: { session: Session; quota: QuotaView; onDone: () => void }) {
  const { session, quota } = props;
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(EDITABLE.map((k) => [k, String(quota.quota[k])])),
  );
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const changes = EDITABLE.filter((k) => values[k] !== String(quota.quota[k]));
  const save = async () => {
    setConfirming(false);
    try {
      await call(session, `/api/v1/admin/tenants/${quota.tenantId}/quota`, {
        method: 'PATCH',
        // The version shown is the one changed: a concurrent change is a version_conflict, not lost.
        headers: { 'if-match': `"${quota.version}"` },
        body: Object.fromEntries(changes.map((k) => [k, Number(values[k])])),
      });
      props.onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form
      class="panel"
      aria-label={`Quota of ${quota.tenantId}`}
      onSubmit={(e) => {
        e.preventDefault();
        setConfirming(true);
      }}
    >
      <h2>Quota of {quota.tenantId}</h2>
      <div class="grid">
        {EDITABLE.map((k) => (
          <label key={k}>
            {k}
            <input
              type="number"
              min="0"
              step="any"
              name={k}
              value={values[k]}
              onInput={(e) => setValues({ ...values, [k]: (e.target as HTMLInputElement).value })}
            />
          </label>
        ))}
      </div>
      <div class="actions">
        <button type="button" onClick={props.onDone}>
          Close
        </button>
        <button type="submit" disabled={changes.length === 0}>
          Save quota
        </button>
      </div>
      <ErrorBanner error={error} />
      {confirming && (
        <ConfirmDialog
          title={`Set the quota of ${quota.tenantId}?`}
          confirmLabel="Set quota"
          onCancel={() => setConfirming(false)}
          onConfirm={() => void save()}
        >
          <ul>
            {changes.map((k) => (
              <li key={k}>
                {k}: {String(quota.quota[k])} → {values[k]}
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </form>
  );
}

type Lifecycle = 'suspend' | 'resume' | 'delete';

/** What each lifecycle action asks before it acts, and how it is sent. */
const LIFECYCLE: Record<Lifecycle, { label: string; question: string; method: 'POST' | 'DELETE' }> =
  {
    suspend: {
      label: 'Suspend',
      question: 'Writes and queries are refused until the tenant is resumed.',
      method: 'POST',
    },
    resume: { label: 'Resume', question: 'Writes and queries are accepted again.', method: 'POST' },
    delete: {
      label: 'Delete',
      question: 'The tenant is tombstoned and its id can never be used again.',
      method: 'DELETE',
    },
  };

/** One tenant: its use against its limits, and rename, suspend, resume and delete. */
function TenantPanel(props: {
  session: Session;
  row: Row;
  onChanged: () => void;
  onClose: () => void;
}) {
  const { session, row } = props;
  const { tenant } = row;
  const [displayName, setDisplayName] = useState(tenant.displayName);
  const [asking, setAsking] = useState<Lifecycle | null>(null);
  const [error, setError] = useState<unknown>(null);
  const isAdmin = session.kind === 'admin';
  // Every change names the version shown: a concurrent change is a version_conflict, not lost.
  const ifMatch = { 'if-match': `"${tenant.version}"` };
  const base = `/api/v1/admin/tenants/${tenant.tenantId}`;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from a row further down: bring the panel into view and tell screen readers.
  useEffect(() => heading.current?.focus(), []);

  const act = async (action: Lifecycle) => {
    setAsking(null);
    setError(null);
    try {
      const path = action === 'delete' ? base : `${base}/${action}`;
      await call(session, path, { method: LIFECYCLE[action].method, headers: ifMatch });
      if (action === 'delete') props.onClose();
      props.onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const rename = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await call(session, base, { method: 'PATCH', headers: ifMatch, body: { displayName } });
      props.onChanged();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div class="panel" role="region" aria-labelledby="tenant-panel-title">
      <h2 id="tenant-panel-title" tabIndex={-1} ref={heading}>
        Tenant {tenant.tenantId}
      </h2>
      <p>
        Status: <strong data-field="panel-status">{tenant.status}</strong>
        {tenant.suspendedReason ? ` (${tenant.suspendedReason})` : ''}
      </p>
      {tenant.status === 'active' && <Usage session={session} row={row} />}
      <form
        class="inline-form"
        aria-label={`Rename ${tenant.tenantId}`}
        onSubmit={(e) => void rename(e)}
      >
        <label>
          Display name
          <input
            required
            value={displayName}
            onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={displayName === tenant.displayName}>
          Rename
        </button>
      </form>
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Close
        </button>
        {isAdmin && tenant.status === 'active' && (
          <button type="button" onClick={() => setAsking('suspend')}>
            Suspend
          </button>
        )}
        {isAdmin && tenant.status === 'suspended' && (
          <button type="button" onClick={() => setAsking('resume')}>
            Resume
          </button>
        )}
        {isAdmin && (
          <button type="button" class="danger" onClick={() => setAsking('delete')}>
            Delete
          </button>
        )}
      </div>
      <ErrorBanner error={error} />
      {asking && (
        <ConfirmDialog
          title={`${LIFECYCLE[asking].label} tenant ${tenant.tenantId}?`}
          confirmLabel={LIFECYCLE[asking].label}
          onCancel={() => setAsking(null)}
          onConfirm={() => void act(asking)}
        >
          <p>{LIFECYCLE[asking].question}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The tenant's series and ingestion rate (`/api/v1/user_stats`) against its quota. */
function Usage({ session, row }: { session: Session; row: Row }) {
  const [stats, setStats] = useState<TenantUserStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setError(null);
    call<TenantUserStats>(session, '/api/v1/user_stats', { tenant: row.tenant.tenantId })
      .then((a) => setStats(a.body))
      .catch(setError);
  }, [session, row.tenant.tenantId]);
  const quota = row.quota?.quota;
  return (
    <div aria-label="Use against the quota" role="group">
      <ErrorBanner error={error} />
      {stats && (
        <dl class="usage">
          <UsageLine
            name="Active series"
            field="series"
            used={stats.numSeries}
            limit={quota?.maxActiveSeries}
          />
          <UsageLine
            name="Ingestion rate (samples/s)"
            field="ingestion"
            used={Math.round(stats.ingestionRate * 100) / 100}
            limit={quota?.ingestionRateSamplesPerSecond}
          />
        </dl>
      )}
    </div>
  );
}

function UsageLine(props: { name: string; field: string; used: number; limit?: number }) {
  const { used, limit } = props;
  return (
    <>
      <dt>{props.name}</dt>
      <dd>
        <span data-usage={props.field}>
          {used} / {limit ?? '—'}
        </span>
        {limit !== undefined && limit > 0 && (
          <meter
            aria-label={`${props.name} used`}
            min={0}
            max={limit}
            high={limit * 0.9}
            value={used}
          />
        )}
      </dd>
    </>
  );
}
