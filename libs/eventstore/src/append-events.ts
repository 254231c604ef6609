import { type DataSource, type QueryRunner } from 'typeorm';
import { ExpectedVersionConflictError } from './errors';
import { GENESIS_HASH, eventHash } from './hash';
import {
  type AppendResult,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
} from './types';

/** Key of the transaction-level advisory lock that serializes the global hash chain. */
export const CHAIN_LOCK_KEY = 0x5374_7261; // "Stra"
/** Channel notified on every commit of events, carrying the last position. */
export const EVENTS_CHANNEL = 'strata_events';

/** One caller's append waiting in the batch. */
export interface PendingAppend {
  streamId: string;
  expected: ExpectedVersion;
  events: NewEvent[];
  metadata: EventMetadata;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface Accepted {
  pending: PendingAppend;
  firstVersion: number;
}

/**
 * Writes a batch of appends in one transaction under the chain lock. Each append's expected
 * version is checked against the stream as the batch has left it so far, so two writers of one
 * stream in the same batch still conflict; a rejected append writes nothing, the others commit.
 */
export async function appendBatch(
  dataSource: DataSource,
  batch: PendingAppend[],
  outboxSubject: ((streamId: string) => string | null) | null,
): Promise<void> {
  const qr = dataSource.createQueryRunner();
  await qr.connect();
  const accepted: Accepted[] = [];
  const rejected: Array<{ pending: PendingAppend; error: unknown }> = [];
  let positions: number[] = [];
  try {
    await qr.startTransaction();
    await qr.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
    const streamIds = [...new Set(batch.map((p) => p.streamId))];
    const versionRows: Array<{ stream_id: string; v: number }> = await qr.query(
      'SELECT stream_id, max(stream_version)::int AS v FROM events WHERE stream_id = ANY($1) GROUP BY stream_id',
      [streamIds],
    );
    const versions = new Map(versionRows.map((r) => [r.stream_id, r.v]));
    for (const pending of batch) {
      const current = versions.get(pending.streamId) ?? 0;
      const { expected } = pending;
      const ok =
        expected === 'any' || (expected === 'no_stream' ? current === 0 : expected === current);
      if (!ok) {
        rejected.push({
          pending,
          error: new ExpectedVersionConflictError(
            pending.streamId,
            expected as number | 'no_stream',
            current,
          ),
        });
        continue;
      }
      accepted.push({ pending, firstVersion: current + 1 });
      versions.set(pending.streamId, current + pending.events.length);
    }
    if (accepted.length > 0) positions = await insertAccepted(qr, accepted, outboxSubject);
    await qr.commitTransaction();
  } catch (error) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await qr.release();
  }
  for (const { pending, error } of rejected) pending.reject(error);
  let offset = 0;
  for (const { pending, firstVersion } of accepted) {
    const n = pending.events.length;
    pending.resolve({
      streamId: pending.streamId,
      version: firstVersion + n - 1,
      positions: positions.slice(offset, offset + n),
    });
    offset += n;
  }
}

async function insertAccepted(
  qr: QueryRunner,
  accepted: Accepted[],
  outboxSubject: ((streamId: string) => string | null) | null,
): Promise<number[]> {
  const total = accepted.reduce((n, a) => n + a.pending.events.length, 0);
  const [last]: Array<{ hash: string; recorded_at: Date }> = await qr.query(
    'SELECT hash, recorded_at FROM events ORDER BY position DESC LIMIT 1',
  );
  const seq: Array<{ p: string }> = await qr.query(
    "SELECT nextval(pg_get_serial_sequence('events', 'position')) AS p FROM generate_series(1, $1)",
    [total],
  );
  const positions = seq.map((r) => Number(r.p)).sort((a, b) => a - b);
  // Recorded times never go backwards along the chain, so "as of an instant" maps to one position.
  const now = Math.max(Date.now(), last ? last.recorded_at.getTime() : 0);
  const recordedAt = new Date(now).toISOString();
  let prevHash = last?.hash ?? GENESIS_HASH;
  const cols = {
    position: [] as number[],
    stream: [] as string[],
    version: [] as number[],
    type: [] as string[],
    data: [] as string[],
    meta: [] as string[],
    prev: [] as string[],
    hash: [] as string[],
  };
  const outbox = { position: [] as number[], subject: [] as string[] };
  let i = 0;
  for (const { pending, firstVersion } of accepted) {
    pending.events.forEach((event, k) => {
      const position = positions[i++];
      const version = firstVersion + k;
      const hash = eventHash({
        position,
        streamId: pending.streamId,
        version,
        type: event.type,
        data: event.data,
        metadata: pending.metadata,
        recordedAt,
        prevHash,
      });
      cols.position.push(position);
      cols.stream.push(pending.streamId);
      cols.version.push(version);
      cols.type.push(event.type);
      cols.data.push(JSON.stringify(event.data));
      cols.meta.push(JSON.stringify(pending.metadata));
      cols.prev.push(prevHash);
      cols.hash.push(hash);
      const subject = outboxSubject?.(pending.streamId) ?? null;
      if (subject !== null) {
        outbox.position.push(position);
        outbox.subject.push(subject);
      }
      prevHash = hash;
    });
  }
  await qr.query(
    `INSERT INTO events (position, stream_id, stream_version, type, data, metadata, recorded_at, prev_hash, hash)
     SELECT p, s, v, t, d, m, $7::timestamptz, ph, h
     FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::jsonb[], $6::jsonb[], $8::text[], $9::text[]) AS x(p, s, v, t, d, m, ph, h)`,
    [
      cols.position,
      cols.stream,
      cols.version,
      cols.type,
      cols.data,
      cols.meta,
      recordedAt,
      cols.prev,
      cols.hash,
    ],
  );
  if (outbox.position.length > 0) {
    await qr.query(
      'INSERT INTO outbox (position, subject) SELECT * FROM unnest($1::bigint[], $2::text[])',
      [outbox.position, outbox.subject],
    );
  }
  await qr.query('SELECT pg_notify($1, $2)', [
    EVENTS_CHANNEL,
    String(positions[positions.length - 1]),
  ]);
  return positions;
}
