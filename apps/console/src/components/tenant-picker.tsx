import { type Page, type TenantView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ErrorBanner } from './error-banner';

/** The tenant a page acts on: the key's own, or one the admin picks from the first tenants. */
export function TenantPicker(props: {
  session: Session;
  value: string | null;
  onChange: (tenantId: string) => void;
}) {
  const { session, value, onChange } = props;
  const [tenants, setTenants] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (session.kind !== 'admin') return;
    call<Page<TenantView>>(session, '/api/v1/admin/tenants?limit=200')
      .then(({ body }) => {
        const ids = body.items.filter((t) => t.status === 'active').map((t) => t.tenantId);
        setTenants(ids);
        if (value === null && ids.length > 0) onChange(ids[0]);
      })
      .catch(setError);
  }, [session]);
  if (session.kind !== 'admin') return <p>Tenant: {session.tenantId}</p>;
  return (
    <div>
      <label>
        Tenant{' '}
        <select
          aria-label="Tenant"
          value={value ?? ''}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
        >
          {tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={error} />
    </div>
  );
}
