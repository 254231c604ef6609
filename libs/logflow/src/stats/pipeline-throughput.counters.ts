import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type LogRecord,
  type PipelineStatsReply,
  type PipelineThroughput,
  emptyThroughput,
} from '@strata/contracts';

const key = (tenantId: string, pipeline: string) => `${tenantId}/${pipeline}`;

/**
 * This replica's throughput counters per pipeline and sink, kept in memory since it started: the
 * public counterpart of the Prometheus counters, answered over the bus for the gateway to sum.
 */
@Injectable()
export class PipelineThroughputCounters {
  private readonly instance = randomUUID();
  private readonly startedAt = Date.now();
  private readonly counts = new Map<string, PipelineThroughput>();

  /** A stored batch the pipeline finished. */
  batch(tenantId: string, pipeline: string, records: readonly LogRecord[]): void {
    const c = this.of(tenantId, pipeline);
    c.batches += 1;
    c.receivedEvents += records.length;
    for (const r of records) c.receivedBytes += Buffer.byteLength(r.line);
  }

  /** One sink's delivery of its share of a batch. */
  delivery(
    tenantId: string,
    pipeline: string,
    sink: string,
    sent: number,
    dead: number,
    attempts: number,
  ): void {
    const c = this.of(tenantId, pipeline);
    const s = (c.sinks[sink] ??= {
      receivedEvents: 0,
      sentEvents: 0,
      deadEvents: 0,
      failedSends: 0,
    });
    // Every attempt but a successful last one failed.
    const failed = Math.max(0, attempts - (sent > 0 ? 1 : 0));
    s.receivedEvents += sent + dead;
    s.sentEvents += sent;
    s.deadEvents += dead;
    s.failedSends += failed;
    c.sentEvents += sent;
    c.deadEvents += dead;
    c.failedSends += failed;
  }

  /** This replica's answer for one pipeline. */
  reply(tenantId: string, pipeline: string): PipelineStatsReply {
    const counts = this.counts.get(key(tenantId, pipeline));
    return {
      instance: this.instance,
      startedAt: this.startedAt,
      counts: counts ? structuredClone(counts) : null,
    };
  }

  private of(tenantId: string, pipeline: string): PipelineThroughput {
    const k = key(tenantId, pipeline);
    let c = this.counts.get(k);
    if (!c) {
      c = emptyThroughput();
      this.counts.set(k, c);
    }
    return c;
  }
}
