import { type PromRuleGroupStatus } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';

/** Rule groups with each rule's health, state, `for` and last evaluation, from `/api/v1/rules`. */
export function RulesPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [groups, setGroups] = useState<PromRuleGroupStatus[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!tenant) return;
    setError(null);
    call<{ data: { groups: PromRuleGroupStatus[] } }>(session, '/api/v1/rules', { tenant })
      .then(({ body }) => setGroups(body.data.groups))
      .catch((err: unknown) => {
        setGroups(null);
        setError(err);
      });
  }, [session, tenant, tick]);
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Rules and alerts</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <button type="button" onClick={() => setTick(tick + 1)}>
        Refresh
      </button>
      <ErrorBanner error={error} />
      {groups && groups.length === 0 && <p>No rule groups for this tenant.</p>}
      {groups?.map((g) => (
        <div class="table-wrap" key={`${g.file}/${g.name}`}>
          <table aria-label={`Rule group ${g.name}`} data-group={g.name}>
            <caption>
              {g.file} / {g.name}: every {g.interval}s, last evaluated {g.lastEvaluation}
            </caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Type</th>
                <th scope="col">Health</th>
                <th scope="col">State</th>
                <th scope="col">For</th>
                <th scope="col">Active alerts</th>
                <th scope="col">Last evaluation</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {g.rules.map((r) => (
                <tr key={r.name} data-rule={r.name}>
                  <td>{r.name}</td>
                  <td>{r.type}</td>
                  <td data-field="health" class={r.health === 'ok' ? '' : 'bad'}>
                    {r.health}
                  </td>
                  <td data-field="state">{r.type === 'alerting' ? r.state : '-'}</td>
                  <td>{r.type === 'alerting' && r.duration ? `${r.duration}s` : '-'}</td>
                  <td data-field="alerts">{r.type === 'alerting' ? r.alerts.length : '-'}</td>
                  <td data-field="lastEvaluation">{r.lastEvaluation}</td>
                  <td>{r.lastError || '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
