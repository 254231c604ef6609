import { type Bus } from '@strata/bus';
import { type LogRecord, type LogSourceKind, LogsSubjects } from '@strata/contracts';

/** One request's (or one syslog flush's) records, before they are cut to fit the bus. */
export interface LogBatchDraft {
  tenantId: string;
  /** Deterministic over tenant and body where the protocol allows, so a retry is stored once. */
  batchId: string;
  source: LogSourceKind;
  receivedAt: number;
  records: readonly LogRecord[];
}

/** What storing a draft did: how many `LogBatch` messages, and how many JetStream had already. */
export interface StoredLogBatches {
  batches: number;
  duplicates: number;
}

/** Room left in a message for NATS headers and the batch's own envelope. */
const ENVELOPE_BUDGET = 4 * 1024;

/**
 * Stores a draft in `STRATA_LOGS` as one or more `LogBatch` messages of at most the bus's
 * max_payload each (a single record larger than that travels as bus chunks), every one with a
 * JetStream message id derived from the batch id, and resolves only once all were acknowledged.
 * A retry after a partial failure stores only what is missing: the ids are the same.
 */
export async function storeLogBatches(bus: Bus, draft: LogBatchDraft): Promise<StoredLogBatches> {
  const parts = serialiseParts(draft, Math.max(16 * 1024, bus.maxPayload - ENVELOPE_BUDGET));
  const subject = LogsSubjects.batches(draft.tenantId);
  const acks = await Promise.all(
    parts.map((body, i) =>
      bus.publish(subject, Buffer.from(body), {
        msgId: partId(draft.batchId, i, parts.length),
      }),
    ),
  );
  return { batches: acks.length, duplicates: acks.filter((a) => a.duplicate).length };
}

/** The JSON of each `LogBatch` a draft becomes; each record is serialised once. */
export function serialiseParts(draft: LogBatchDraft, maxBytes: number): string[] {
  const head = (id: string) =>
    `{"tenantId":${JSON.stringify(draft.tenantId)},"batchId":${JSON.stringify(id)},` +
    `"source":${JSON.stringify(draft.source)},"receivedAt":${draft.receivedAt},"records":[`;
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const record of draft.records) {
    const json = JSON.stringify(record);
    const bytes = Buffer.byteLength(json) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(json);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((g, i) => `${head(partId(draft.batchId, i, groups.length))}${g.join(',')}]}`);
}

/** The batch id of part `index` of `count`: the draft's own when it is whole. */
export function partId(batchId: string, index: number, count: number): string {
  return count === 1 ? batchId : `${batchId}.${index + 1}-${count}`;
}
