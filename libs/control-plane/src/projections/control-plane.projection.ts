import { type QueryRunner } from 'typeorm';
import { type ApiKeyView, type QuotaView, type TenantView } from '@strata/contracts';
import { type Projection, type RecordedEvent } from '@strata/eventstore';
import { apiKeyViewAfter, quotaViewAfter, tenantViewAfter, type StoredControlEvent } from '../domain/views';

/** Name of the projection's checkpoint. */
export const CONTROL_PLANE_PROJECTION = 'control-plane-read-models';

async function load<V>(q: QueryRunner, table: string, keyColumn: string, key: string): Promise<V | null> {
  const [row]: Array<{ view: V }> = await q.query(`SELECT view FROM ${table} WHERE ${keyColumn} = $1`, [key]);
  return row?.view ?? null;
}

/** Keeps cp_tenants, cp_quotas and cp_api_keys equal to the fold of the views over the log. */
export const controlPlaneProjection: Projection = {
  name: CONTROL_PLANE_PROJECTION,
  tables: ['cp_tenants', 'cp_quotas', 'cp_api_keys'],
  async apply(q: QueryRunner, event: RecordedEvent): Promise<void> {
    const e = event as unknown as StoredControlEvent;
    if (e.type.startsWith('Tenant') || e.type === 'QuotaSet') {
      const tenantId = (e.data as { tenantId: string }).tenantId;
      if (e.type.startsWith('Tenant')) {
        const tenant = tenantViewAfter(await load<TenantView>(q, 'cp_tenants', 'tenant_id', tenantId), e);
        if (tenant) {
          await q.query(
            'INSERT INTO cp_tenants (tenant_id, status, view) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO UPDATE SET status = $2, view = $3',
            [tenantId, tenant.status, JSON.stringify(tenant)],
          );
        }
      }
      const quota = quotaViewAfter(await load<QuotaView>(q, 'cp_quotas', 'tenant_id', tenantId), e);
      if (quota) {
        await q.query('INSERT INTO cp_quotas (tenant_id, view) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET view = $2', [tenantId, JSON.stringify(quota)]);
      }
    } else if (e.type.startsWith('ApiKey')) {
      const keyId = (e.data as { keyId: string }).keyId;
      const key = apiKeyViewAfter(await load<ApiKeyView>(q, 'cp_api_keys', 'key_id', keyId), e);
      if (key) {
        await q.query('INSERT INTO cp_api_keys (key_id, tenant_id, view) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO UPDATE SET view = $3', [keyId, key.tenantId, JSON.stringify(key)]);
      }
    }
  },
};
