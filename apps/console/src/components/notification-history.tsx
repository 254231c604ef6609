import { type HistoryEntry, type HistoryPage } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from './error-banner';
import { Pager, useCursorHistory } from './pager';

/** The tenant's notification delivery attempts, newest first, filtered by status and paginated. */
export function NotificationHistory(props: { session: Session; tenant: string; refresh: number }) {
  const { session, tenant, refresh } = props;
  const [status, setStatus] = useState<'' | 'sent' | 'failed'>('');
  const [page, setPage] = useState<HistoryPage | null>(null);
  const pages = useCursorHistory();
  const [error, setError] = useState<unknown>(null);
  // A new tenant or a refresh starts again at the newest page.
  useEffect(() => pages.reset(), [tenant, refresh]);
  useEffect(() => {
    let current = true;
    call<HistoryPage>(
      session,
      `/api/v1/notifications/history${query({ status, cursor: pages.cursor, limit: 20 })}`,
      { tenant },
    )
      .then(({ body }) => current && setPage(body))
      .catch((err: unknown) => current && setError(err));
    // An answer to a request made for an earlier page or filter is dropped.
    return () => {
      current = false;
    };
  }, [session, tenant, status, refresh, pages.cursor]);
  const names = (e: HistoryEntry) =>
    [...new Set(e.alerts.map((a) => a.labels.alertname))].join(', ');
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Notification history</h2>
      <label>
        Delivery status
        <select
          aria-label="Delivery status"
          value={status}
          onChange={(e) => {
            setStatus((e.target as HTMLSelectElement).value as '' | 'sent' | 'failed');
            pages.reset();
          }}
        >
          <option value="">any</option>
          <option value="sent">sent</option>
          <option value="failed">failed</option>
        </select>
      </label>
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table aria-label="Notification history">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Receiver</th>
              <th scope="col">Integration</th>
              <th scope="col">Status</th>
              <th scope="col">Alerts</th>
              <th scope="col">Attempts</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((e) => (
              <tr key={e.id} data-delivery={e.id}>
                <td>{e.at}</td>
                <td data-field="receiver">{e.receiver}</td>
                <td>{e.integration}</td>
                <td data-field="status" class={e.status === 'failed' ? 'bad' : ''}>
                  {e.status}
                </td>
                <td data-field="alerts">{names(e)}</td>
                <td>{e.attempts}</td>
                <td>{e.error ?? '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        hasPrevious={pages.hasPrevious}
        hasNext={Boolean(page?.nextCursor)}
        onPrevious={pages.previous}
        onNext={() => pages.next(page?.nextCursor ?? null)}
      />
    </section>
  );
}
