import { type Page, type QuotaSpec, type QuotaView, type TenantView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Pager } from '../components/pager';

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

/** Tenants with their quotas: create a tenant, set a quota after confirming the change. */
export function TenantsPage({ session }: { session: Session }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [history, setHistory] = useState<Array<string | null>>([]);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Row | null>(null);
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

  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      {session.kind === 'admin' && (
        <CreateTenant session={session} onCreated={() => setReload((r) => r + 1)} />
      )}
      <ErrorBanner error={error} />
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
                <td>{row.tenant.displayName}</td>
                <td>{row.tenant.status}</td>
                <td data-field="maxActiveSeries">{row.quota?.quota.maxActiveSeries ?? '—'}</td>
                <td>{row.quota?.quota.ingestionRateSamplesPerSecond ?? '—'}</td>
                <td>{row.quota?.version ?? '—'}</td>
                <td>
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
        hasPrevious={history.length > 0}
        hasNext={next !== null}
        onPrevious={() => {
          setCursor(history[history.length - 1] ?? null);
          setHistory(history.slice(0, -1));
        }}
        onNext={() => {
          setHistory([...history, cursor]);
          setCursor(next);
        }}
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
