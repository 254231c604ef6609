import { createHash } from 'node:crypto';
import { type Bus, type PublishAck } from '@strata/bus';
import { type LogBatch, type LogRecord, LogsSubjects } from '@strata/contracts';

/** Stores a batch in `STRATA_LOGS` as a source does: on the tenant's subject, msgID = batchId. */
export function publishLogBatch(bus: Bus, batch: LogBatch): Promise<PublishAck> {
  return bus.publish(LogsSubjects.batches(batch.tenantId), batch, { msgId: batch.batchId });
}

/** A batch of `records` for `tenantId`, with a batch id derived from its content. */
export function logBatch(tenantId: string, records: LogRecord[]): LogBatch {
  const batchId = createHash('sha256')
    .update(tenantId)
    .update(JSON.stringify(records))
    .digest('hex')
    .slice(0, 32);
  return { tenantId, batchId, source: 'http', receivedAt: Date.now(), records };
}

/** A record with a line and labels; the time is now unless given (nanoseconds). */
export function logRecord(
  line: string,
  labels: Record<string, string> = {},
  timestampNs = `${Date.now()}000000`,
): LogRecord {
  return { timestampNs, line, labels, fields: {} };
}
