import { type GettableAlert, type GettableSilence, type SilenceMatcher } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { NotificationHistory } from '../components/notification-history';
import { TenantPicker } from '../components/tenant-picker';

const matcherText = (m: SilenceMatcher) =>
  `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}"${m.value}"`;

/** Parses `a="b", c=~"d"` into Alertmanager matchers; null when a part is not a matcher. */
export function parseMatchers(text: string): SilenceMatcher[] | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: SilenceMatcher[] = [];
  for (const part of parts) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?$/.exec(part);
    if (!m) return null;
    out.push({
      name: m[1],
      value: m[3],
      isRegex: m[2].includes('~'),
      isEqual: !m[2].startsWith('!'),
    });
  }
  return out.length > 0 ? out : null;
}

/** Alerts, silences and notification history of the tenant's Alertmanager: create and expire silences. */
export function SilencesPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [silences, setSilences] = useState<GettableSilence[]>([]);
  const [alerts, setAlerts] = useState<GettableAlert[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [matchers, setMatchers] = useState('');
  const [hours, setHours] = useState('2');
  const [comment, setComment] = useState('');
  const [expiring, setExpiring] = useState<GettableSilence | null>(null);

  useEffect(() => {
    if (!tenant) return;
    Promise.all([
      call<GettableSilence[]>(session, '/alertmanager/api/v2/silences', { tenant }),
      call<GettableAlert[]>(session, '/alertmanager/api/v2/alerts', { tenant }),
    ])
      .then(([s, a]) => {
        setSilences(s.body);
        setAlerts(a.body);
      })
      .catch(setError);
  }, [session, tenant, tick]);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const parsed = parseMatchers(matchers);
    if (!parsed) {
      setError(new Error('matchers are name="value" pairs separated by commas'));
      return;
    }
    const now = Date.now();
    try {
      await call(session, '/alertmanager/api/v2/silences', {
        method: 'POST',
        tenant,
        body: {
          matchers: parsed,
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + Number(hours) * 3_600_000).toISOString(),
          createdBy: session.kind === 'admin' ? 'platform admin' : `key of ${session.tenantId}`,
          comment,
        },
      });
      setMatchers('');
      setComment('');
      setTick(tick + 1);
    } catch (err) {
      setError(err);
    }
  };
  const expire = async (s: GettableSilence) => {
    setExpiring(null);
    try {
      await call(session, `/alertmanager/api/v2/silence/${s.id}`, { method: 'DELETE', tenant });
      setTick(tick + 1);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="silences-title">
      <h1 id="silences-title">Alerts and silences</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table aria-label="Alerts">
          <caption>{alerts.length} alerts in the tenant's Alertmanager</caption>
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col">Labels</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.fingerprint} data-alert={a.labels.alertname}>
                <td>{a.labels.alertname}</td>
                <td data-field="state">{a.status.state}</td>
                <td>{a.startsAt}</td>
                <td class="series-name">
                  {Object.entries(a.labels)
                    .map(([k, v]) => `${k}="${v}"`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="inline-form" aria-label="Create a silence" onSubmit={(e) => void create(e)}>
        <label class="wide">
          Matchers
          <input
            name="matchers"
            required
            placeholder='alertname="DiskFull", severity="page"'
            value={matchers}
            onInput={(e) => setMatchers((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Hours
          <input
            name="hours"
            type="number"
            min="1"
            required
            value={hours}
            onInput={(e) => setHours((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Comment
          <input
            name="comment"
            required
            value={comment}
            onInput={(e) => setComment((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={!tenant}>
          Create silence
        </button>
      </form>
      <div class="table-wrap">
        <table aria-label="Silences">
          <thead>
            <tr>
              <th scope="col">Matchers</th>
              <th scope="col">State</th>
              <th scope="col">Ends</th>
              <th scope="col">Created by</th>
              <th scope="col">Comment</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {silences.map((s) => (
              <tr key={s.id} data-silence={s.id}>
                <td class="series-name">{s.matchers.map(matcherText).join(', ')}</td>
                <td data-field="state">{s.status.state}</td>
                <td>{s.endsAt}</td>
                <td>{s.createdBy}</td>
                <td>{s.comment}</td>
                <td>
                  {s.status.state !== 'expired' && (
                    <button
                      type="button"
                      aria-label={`Expire silence ${s.id}`}
                      onClick={() => setExpiring(s)}
                    >
                      Expire
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {tenant && <NotificationHistory session={session} tenant={tenant} refresh={tick} />}
      {expiring && (
        <ConfirmDialog
          title="Expire this silence?"
          confirmLabel="Expire silence"
          onConfirm={() => void expire(expiring)}
          onCancel={() => setExpiring(null)}
        >
          <p>{expiring.matchers.map(matcherText).join(', ')}: its alerts notify again.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
