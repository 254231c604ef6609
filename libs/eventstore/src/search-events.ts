import { type DataSource } from 'typeorm';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';
import { type RecordedEvent } from './types';

/** Filters of an audit search; all optional, combined with AND. */
export interface EventFilter {
  tenant?: string;
  actor?: string;
  type?: string;
  streamId?: string;
  /** Events appended under this request id (how a retried command finds its first attempt). */
  requestId?: string;
  /** Inclusive lower bound on the recorded time. */
  from?: string;
  /** Exclusive upper bound on the recorded time. */
  to?: string;
  /** Only events after this position (the cursor of the previous page). */
  afterPosition?: number;
  limit: number;
}

/** Events matching a filter in position order, served by the metadata indexes of the events table. */
export async function searchEvents(
  dataSource: DataSource,
  filter: EventFilter,
): Promise<RecordedEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.afterPosition !== undefined) add('position > ?', filter.afterPosition);
  if (filter.tenant !== undefined) add(`metadata->>'tenant' = ?`, filter.tenant);
  if (filter.actor !== undefined) add(`metadata->>'actor' = ?`, filter.actor);
  if (filter.type !== undefined) add('type = ?', filter.type);
  if (filter.streamId !== undefined) add('stream_id = ?', filter.streamId);
  if (filter.requestId !== undefined) add(`metadata->>'requestId' = ?`, filter.requestId);
  if (filter.from !== undefined) add('recorded_at >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('recorded_at < ?::timestamptz', filter.to);
  params.push(filter.limit);
  const rows: EventRow[] = await dataSource.query(
    `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRecordedEvent);
}
