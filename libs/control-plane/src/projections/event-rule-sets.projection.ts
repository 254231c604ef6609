import { type QueryRunner } from 'typeorm';
import { type EventRuleSetView } from '@strata/contracts';
import { type Projection, type RecordedEvent } from '@strata/eventstore';
import { eventRuleSetKeyOf, eventRuleSetViewAfter, type StoredControlEvent } from '../domain/views';

async function applyBatch(q: QueryRunner, recorded: RecordedEvent[]): Promise<void> {
  const events = (recorded as unknown as StoredControlEvent[]).filter(
    (e) => eventRuleSetKeyOf(e) !== null,
  );
  if (events.length === 0) return;
  const views = new Map<string, EventRuleSetView | null>();
  for (const e of events) {
    if (e.type !== 'EventRuleSetConfigured' && e.type !== 'EventRuleSetDeleted') continue;
    const key = eventRuleSetKeyOf(e) as string;
    if (!views.has(key)) {
      const [row]: Array<{ view: EventRuleSetView }> = await q.query(
        'SELECT view FROM cp_event_rule_sets WHERE tenant_id = $1 AND name = $2',
        [e.data.tenantId, e.data.name],
      );
      views.set(key, row?.view ?? null);
    }
    views.set(key, eventRuleSetViewAfter(views.get(key) ?? null, e));
  }
  for (const [key, view] of views) {
    const dot = key.indexOf('.');
    const [tenantId, name] = [key.slice(0, dot), key.slice(dot + 1)];
    if (view === null) {
      await q.query('DELETE FROM cp_event_rule_sets WHERE tenant_id = $1 AND name = $2', [
        tenantId,
        name,
      ]);
      continue;
    }
    await q.query(
      `INSERT INTO cp_event_rule_sets (tenant_id, name, view) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, name) DO UPDATE SET view = excluded.view`,
      [tenantId, name, JSON.stringify(view)],
    );
  }
}

/** Keeps cp_event_rule_sets equal to the fold of the event rule set events: one row per stored set. */
export const eventRuleSetsProjection: Projection = {
  name: 'control-plane-event-rule-sets',
  tables: ['cp_event_rule_sets'],
  apply: (q, event) => applyBatch(q, [event]),
  applyBatch,
};
