import { type DataSource } from 'typeorm';
import { type EventRuleSetView, type Page, StrataError } from '@strata/contracts';
import { decodeCursor, encodeCursor } from './cursor';

/** Every stored rule set of one tenant (what another set's references may name). */
export async function storedEventRuleSets(
  dataSource: DataSource,
  tenantId: string,
): Promise<EventRuleSetView[]> {
  const rows: Array<{ view: EventRuleSetView }> = await dataSource.query(
    'SELECT view FROM cp_event_rule_sets WHERE tenant_id = $1 ORDER BY name',
    [tenantId],
  );
  return rows.map((r) => r.view);
}

/** One stored rule set, or `not_found`. */
export async function getEventRuleSet(
  dataSource: DataSource,
  tenantId: string,
  name: string,
): Promise<EventRuleSetView> {
  const [row]: Array<{ view: EventRuleSetView }> = await dataSource.query(
    'SELECT view FROM cp_event_rule_sets WHERE tenant_id = $1 AND name = $2',
    [tenantId, name],
  );
  if (!row)
    throw new StrataError(
      'not_found',
      `tenant ${tenantId} has no rule set ${JSON.stringify(name)} of its own`,
    );
  return row.view;
}

/** Stored rule sets in (tenant, name) order, of one tenant or of every live tenant. */
export async function listEventRuleSets(
  dataSource: DataSource,
  query: { tenantId?: string; cursor?: string; limit: number },
): Promise<Page<EventRuleSetView>> {
  // Tenant ids and names are DNS labels: the first dot separates them.
  const after = decodeCursor<string>(query.cursor, 'string') ?? '.';
  const dot = after.indexOf('.');
  const [afterTenant, afterName] = [after.slice(0, dot), after.slice(dot + 1)];
  // Sets of deleted tenants stay in the log but are no longer listed (nor evaluated).
  const rows: Array<{ view: EventRuleSetView }> = await dataSource.query(
    `SELECT s.view FROM cp_event_rule_sets s JOIN cp_tenants t USING (tenant_id)
     WHERE t.status <> 'deleted' AND (s.tenant_id, s.name) > ($1, $2) AND ($3::text IS NULL OR s.tenant_id = $3)
     ORDER BY s.tenant_id, s.name LIMIT $4`,
    [afterTenant, afterName, query.tenantId ?? null, query.limit + 1],
  );
  const items = rows.slice(0, query.limit).map((r) => r.view);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > query.limit && last ? encodeCursor(`${last.tenantId}.${last.name}`) : null,
  };
}
