import { z } from 'zod';
import { TenantId } from '../control/ids';
import { EventAlerts } from '../events/events-api';
import { LogRecord } from './logs-api';

/** Subjects the logflow service publishes: records its sinks gave up on. */
export const LogflowSubjects = {
  /** Records a sink of one tenant's pipeline could not deliver after its last attempt. */
  deadLetters: (tenantId: string) => `strata.logs.dead.v1.${TenantId.parse(tenantId)}` as const,
  /** Every tenant's dead letters. */
  deadLettersAll: 'strata.logs.dead.v1.>',
  /** Alerts of one tenant's log alert rules (`STRATA_LOG_ALERTS`), for the notification service. */
  alerts: (tenantId: string) => `strata.alerts.logs.v1.${TenantId.parse(tenantId)}` as const,
  /** Every tenant's log alerts. */
  alertsAll: 'strata.alerts.logs.v1.>',
} as const;

/** Streams the logflow service declares at start. */
export const LogflowStreams = {
  /** Dead letters, kept a week for inspection and replay; file storage. */
  deadLetters: {
    name: 'STRATA_LOGS_DEAD',
    subjects: ['strata.logs.dead.v1.>'],
    maxAgeMs: 7 * 86_400_000,
  },
  /** Log alerts kept a day for the notification service's consumer; both services declare it alike. */
  alerts: {
    name: 'STRATA_LOG_ALERTS',
    subjects: ['strata.alerts.logs.v1.>'],
    maxAgeMs: 86_400_000,
  },
} as const;

/** Alerts of log alert rules for one tenant: the shape of the events service's alerts. */
export const LogAlerts = EventAlerts;
export type LogAlerts = EventAlerts;

/** Records one sink dead-lettered, with why; published with msgID `<batchId>/<pipeline>/<sink>`. */
export const LogDeadLetter = z
  .object({
    tenantId: TenantId,
    pipeline: z.string(),
    sink: z.string(),
    batchId: z.string(),
    attempts: z.number().int().nonnegative(),
    error: z.string(),
    records: z.array(LogRecord),
  })
  .strict();
export type LogDeadLetter = z.infer<typeof LogDeadLetter>;

/** Key of one pipeline's `log_to_metric` totals in `KvBuckets.logflowState`. */
export function logCounterKey(tenantId: string, pipeline: string): string {
  return `counters.${TenantId.parse(tenantId)}.${pipeline}`;
}

/**
 * Key where builds before the held events joined `LogCounterState` kept them apart (a
 * `LogHeldState`); read once at start and removed after the first write of the joined state.
 */
export function logHeldKey(tenantId: string, pipeline: string): string {
  return `held.${TenantId.parse(tenantId)}.${pipeline}`;
}

/**
 * The unfinished events (open multiline records, partial lines) a pipeline's merging transforms
 * hold, by transform id and group, as stored with `seq`, the stream sequence of the last batch
 * they include: that batch and every one before it are done, so a redelivered one is only acknowledged.
 */
export const LogHeldState = z
  .object({
    seq: z.number().int().nonnegative(),
    held: z.record(
      z.record(
        z
          .object({
            record: LogRecord,
            state: z.string(),
            lines: z.number().int().positive(),
            deadlineMs: z.number(),
          })
          .strict(),
      ),
    ),
  })
  .strict();
export type LogHeldState = z.infer<typeof LogHeldState>;

/**
 * One pipeline's state as stored after each batch: its `log_to_metric` totals, with the stream
 * sequences of the batches already counted (those at or below `floor`, the consumer's ack floor
 * when it was last read, and those listed in `applied`; a redelivered batch found there is not
 * counted again), and, for a pipeline with merging transforms, the events they hold. Both change
 * in one compare-and-set write, so held events sent on are counted exactly when they stop being held.
 */
export const LogCounterState = z
  .object({
    series: z.array(
      z
        .object({
          name: z.string(),
          labels: z.array(z.object({ name: z.string(), value: z.string() }).strict()),
          value: z.number().nonnegative(),
        })
        .strict(),
    ),
    floor: z.number().int().nonnegative(),
    applied: z.array(z.number().int().positive()),
    held: LogHeldState.optional(),
  })
  .strict();
export type LogCounterState = z.infer<typeof LogCounterState>;
