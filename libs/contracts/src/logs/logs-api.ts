import { z } from 'zod';
import { TenantId } from '../control/ids';

/** Where a log record entered the platform: the protocol of the source that took it. */
export const LOG_SOURCE_KINDS = ['loki', 'elasticsearch', 'otlp', 'syslog', 'http'] as const;
/** One source protocol. */
export const LogSourceKind = z.enum(LOG_SOURCE_KINDS);
export type LogSourceKind = z.infer<typeof LogSourceKind>;

/**
 * Subjects of the log flow: batches the sources stored in `STRATA_LOGS`, one subject per tenant so
 * each tenant's pipelines consume (and are slowed by) their own records only.
 */
export const LogsSubjects = {
  /** Accepted batches of one tenant; a source answers its client once JetStream stored the batch. */
  batches: (tenantId: string) => `strata.logs.batch.v1.${TenantId.parse(tenantId)}` as const,
  /** Every tenant's batches. */
  batchesAll: 'strata.logs.batch.v1.>',
} as const;

/** Streams of the log flow. */
export const LogsStreams = {
  /**
   * The durable buffer between sources and pipelines: file storage, limits retention, 2 min
   * duplicate window so a retried request (same batch id) is stored once.
   */
  batches: {
    name: 'STRATA_LOGS',
    subjects: ['strata.logs.batch.v1.>'],
    storage: 'file',
    duplicateWindowMs: 120_000,
  },
} as const;

/** Labels or fields as strings (Loki stream labels, OTLP resource attributes flattened, syslog header fields). */
const StringMap = z.record(z.string(), z.string());

/**
 * One log record as every source normalises it: the line as received, stream labels that identify
 * where it came from, and structured fields the protocol carried (ES document fields, OTLP attributes,
 * syslog structured data). Parsers in pipelines add to `fields`.
 */
export const LogRecord = z
  .object({
    /** Nanoseconds since the epoch, as a decimal string (JSON numbers cannot hold them exactly). */
    timestampNs: z.string().regex(/^\d{1,20}$/),
    /** The log line (message, body) as text. */
    line: z.string(),
    labels: StringMap,
    fields: z.record(z.string(), z.unknown()),
  })
  .strict();
export type LogRecord = z.infer<typeof LogRecord>;

/** What a source stores in `STRATA_LOGS` for one request (or one syslog flush), taken whole or not at all. */
export const LogBatch = z
  .object({
    tenantId: TenantId,
    /** Deterministic over tenant and body where the protocol allows, so a retried request is stored once. */
    batchId: z.string().min(1).max(128),
    source: LogSourceKind,
    receivedAt: z.number().int().nonnegative(),
    records: z.array(LogRecord).min(1),
  })
  .strict();
export type LogBatch = z.infer<typeof LogBatch>;
