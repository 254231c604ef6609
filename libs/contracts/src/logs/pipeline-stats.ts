import { z } from 'zod';
import { TenantId } from '../control/ids';
import { PipelineComponentId } from './pipeline-spec';

/**
 * Subjects of the pipeline throughput counters: every logflow replica answers (no queue group)
 * with the counts it made itself, and the gateway sums the replies.
 */
export const PipelineStatsSubjects = {
  /** One pipeline's counters on one replica (`PipelineStatsRequest` → `PipelineStatsReply`). */
  stats: 'strata.logflow.stats.v1',
} as const;

const Count = z.number().int().nonnegative();

/** One sink's counters, as Vector's `component_*_total` of a sink. */
export const SinkThroughput = z
  .object({
    /** Records the pipeline routed to this sink (`component_received_events_total`). */
    receivedEvents: Count,
    /** Records the sink delivered (`component_sent_events_total`). */
    sentEvents: Count,
    /** Records it gave up on and dead-lettered to `STRATA_LOGS_DEAD`. */
    deadEvents: Count,
    /** Sends that failed and were tried again (`component_errors_total` of the sink). */
    failedSends: Count,
  })
  .strict();
export type SinkThroughput = z.infer<typeof SinkThroughput>;

/** One pipeline's counters since the replicas counting them started. */
export const PipelineThroughput = z
  .object({
    /** Records read from `STRATA_LOGS` and run through the pipeline. */
    receivedEvents: Count,
    /** UTF-8 bytes of the lines of those records. */
    receivedBytes: Count,
    /** Records its sinks delivered (a record sent to two sinks counts twice). */
    sentEvents: Count,
    /** Records its sinks dead-lettered. */
    deadEvents: Count,
    /** Failed sends of its sinks, retried or not. */
    failedSends: Count,
    /** Stored batches the pipeline finished. */
    batches: Count,
    sinks: z.record(PipelineComponentId, SinkThroughput),
  })
  .strict();
export type PipelineThroughput = z.infer<typeof PipelineThroughput>;

/** What the gateway asks every logflow replica. */
export const PipelineStatsRequest = z
  .object({ tenantId: TenantId, pipeline: PipelineComponentId })
  .strict();
export type PipelineStatsRequest = z.infer<typeof PipelineStatsRequest>;

/** One replica's answer: its counts, or null when it has counted nothing for the pipeline. */
export const PipelineStatsReply = z
  .object({
    instance: z.string(),
    /** When this replica's counters started (a restart starts them at zero again). */
    startedAt: z.number().int().nonnegative(),
    counts: PipelineThroughput.nullable(),
  })
  .strict();
export type PipelineStatsReply = z.infer<typeof PipelineStatsReply>;

/**
 * `GET /api/v1/logs/pipelines/{name}/stats`: the counters summed over the replicas that answered,
 * with the reading's time. A rate is the difference of two readings over the time between them;
 * a difference below zero means a replica restarted in between.
 */
export interface PipelineStats {
  tenantId: string;
  pipeline: string;
  /** Milliseconds since the epoch when the gateway read the counters. */
  readAt: number;
  /** Replicas whose answer is summed, with when each started counting. */
  replicas: Array<{ instance: string; startedAt: number }>;
  totals: PipelineThroughput;
}

/** Counters of nothing: the start of a sum. */
export function emptyThroughput(): PipelineThroughput {
  return {
    receivedEvents: 0,
    receivedBytes: 0,
    sentEvents: 0,
    deadEvents: 0,
    failedSends: 0,
    batches: 0,
    sinks: {},
  };
}

const emptySink = (): SinkThroughput => ({
  receivedEvents: 0,
  sentEvents: 0,
  deadEvents: 0,
  failedSends: 0,
});

/** Adds `more` into `into` (sinks by id), for the gateway's sum over replicas. */
export function addThroughput(into: PipelineThroughput, more: PipelineThroughput): void {
  into.receivedEvents += more.receivedEvents;
  into.receivedBytes += more.receivedBytes;
  into.sentEvents += more.sentEvents;
  into.deadEvents += more.deadEvents;
  into.failedSends += more.failedSends;
  into.batches += more.batches;
  for (const [id, sink] of Object.entries(more.sinks)) {
    const sum = (into.sinks[id] ??= emptySink());
    sum.receivedEvents += sink.receivedEvents;
    sum.sentEvents += sink.sentEvents;
    sum.deadEvents += sink.deadEvents;
    sum.failedSends += sink.failedSends;
  }
}

/** Per-second rates between two readings of the same pipeline; a counter that went back (a restart) reads 0. */
export function throughputRates(
  before: Pick<PipelineStats, 'readAt' | 'totals'>,
  after: Pick<PipelineStats, 'readAt' | 'totals'>,
): {
  inPerSecond: number;
  outPerSecond: number;
  errorsPerSecond: number;
  bytesInPerSecond: number;
} {
  const seconds = (after.readAt - before.readAt) / 1000;
  const rate = (a: number, b: number) => (seconds > 0 ? Math.max(0, b - a) / seconds : 0);
  return {
    inPerSecond: rate(before.totals.receivedEvents, after.totals.receivedEvents),
    outPerSecond: rate(before.totals.sentEvents, after.totals.sentEvents),
    errorsPerSecond: rate(
      before.totals.deadEvents + before.totals.failedSends,
      after.totals.deadEvents + after.totals.failedSends,
    ),
    bytesInPerSecond: rate(before.totals.receivedBytes, after.totals.receivedBytes),
  };
}
