import { type ApiKeyScope, type ApiKeyView, type Page } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';
import { Pager, useCursorHistory } from '../components/pager';

const SCOPES: ApiKeyScope[] = ['read', 'write', 'admin'];

/** A tenant's API keys: issue one (its secret shown once), revoke one after confirming. */
export function ApiKeysPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [keys, setKeys] = useState<ApiKeyView[]>([]);
  const pages = useCursorHistory();
  const cursor = pages.cursor;
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [secret, setSecret] = useState<{ keyId: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);

  useEffect(() => {
    if (!tenant) return;
    setError(null);
    call<Page<ApiKeyView>>(
      session,
      `/api/v1/admin/tenants/${tenant}/api-keys${query({ limit: 20, cursor })}`,
    )
      .then(({ body }) => {
        setKeys(body.items);
        setNext(body.nextCursor);
      })
      .catch(setError);
  }, [session, tenant, cursor, reload]);

  const revoke = async (key: ApiKeyView) => {
    setRevoking(null);
    try {
      await call(session, `/api/v1/admin/api-keys/${key.keyId}`, { method: 'DELETE' });
      setReload((r) => r + 1);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <TenantPicker
        session={session}
        value={tenant}
        onChange={(t) => {
          setTenant(t);
          pages.reset();
          setSecret(null);
        }}
      />
      {tenant && (
        <IssueKey
          session={session}
          tenant={tenant}
          onIssued={(issued) => {
            setSecret(issued);
            setReload((r) => r + 1);
          }}
        />
      )}
      {secret && (
        <div class="panel secret" role="status">
          <p>
            The secret of <code>{secret.keyId}</code>, shown this once; store it now:
          </p>
          <output class="secret-value" aria-label="New key secret">
            {secret.secret}
          </output>
          <button type="button" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table>
          <caption>Keys of {tenant ?? 'no tenant'}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.keyId} data-key={k.keyId}>
                <td>
                  <code>{k.keyId}</code>
                </td>
                <td>{k.name}</td>
                <td>{k.scopes.join(', ')}</td>
                <td data-field="status">{k.status}</td>
                <td>{new Date(k.createdAt).toLocaleString()}</td>
                <td>
                  {k.status === 'active' && (
                    <button type="button" class="danger" onClick={() => setRevoking(k)}>
                      Revoke<span class="visually-hidden"> {k.name}</span>
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
      {revoking && (
        <ConfirmDialog
          title={`Revoke key ${revoking.name}?`}
          confirmLabel="Revoke key"
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        >
          <p>
            Requests with <code>{revoking.keyId}</code> are refused from the next one on. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function IssueKey(props: {
  session: Session;
  tenant: string;
  onIssued: (issued: { keyId: string; secret: string }) => void;
}) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const { body } = await call<{ key: ApiKeyView; secret: string }>(
        props.session,
        `/api/v1/admin/tenants/${props.tenant}/api-keys`,
        { method: 'POST', body: { name, scopes } },
      );
      setName('');
      props.onIssued({ keyId: body.key.keyId, secret: body.secret });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline-form" aria-label="Issue a key" onSubmit={(e) => void submit(e)}>
      <label>
        Key name
        <input
          required
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} class="check">
            <input
              type="checkbox"
              checked={scopes.includes(s)}
              onChange={(e) =>
                setScopes(
                  (e.target as HTMLInputElement).checked
                    ? [...scopes, s]
                    : scopes.filter((x) => x !== s),
                )
              }
            />
            {s}
          </label>
        ))}
      </fieldset>
      <button type="submit">Issue key</button>
      <ErrorBanner error={error} />
    </form>
  );
}
