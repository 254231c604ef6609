import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';

interface RuleStatus {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  state?: string;
  duration?: number;
  lastError?: string;
  lastEvaluation: string;
  evaluationTime: number;
  alerts?: Array<{ labels: Record<string, string>; state: string; activeAt?: string }>;
}
interface GroupStatus {
  name: string;
  file: string;
  interval: number;
  lastEvaluation: string;
  rules: RuleStatus[];
}

/** Rule groups with each rule's health, state, `for` and last evaluation, from `/api/v1/rules`. */
export function RulesPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [groups, setGroups] = useState<GroupStatus[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!tenant) return;
    setError(null);
    call<{ data: { groups: GroupStatus[] } }>(session, '/api/v1/rules', { tenant })
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
                  <td data-field="state">{r.state ?? '-'}</td>
                  <td>{r.duration ? `${r.duration}s` : '-'}</td>
                  <td data-field="alerts">{r.alerts?.length ?? '-'}</td>
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
