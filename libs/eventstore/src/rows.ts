import { type EventMetadata, type RecordedEvent } from './types';

/** An `events` row as the pg driver returns it. */
export interface EventRow {
  position: string | number;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
  prev_hash: string;
  hash: string;
}

/** The columns of `events`, in the order `toRecordedEvent` expects. */
export const EVENT_COLUMNS =
  'position, stream_id, stream_version, type, data, metadata, recorded_at, prev_hash, hash';

/** Converts a row to the public shape (bigint positions fit a double for 2^53 events). */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    version: row.stream_version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: (row.recorded_at instanceof Date
      ? row.recorded_at
      : new Date(row.recorded_at)
    ).toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The aggregate type of a stream id `<aggregate>-<id>`. */
export function aggregateOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/** Stream ids are `<aggregate>-<id>`; the aggregate names the NATS subject of its events. */
export const STREAM_ID_PATTERN = /^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]+$/;
