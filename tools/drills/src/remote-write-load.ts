// A bounded remote-write sender that behaves like Prometheus' queue manager: each writer sends one
// request at a time, retries a 5xx, a 429 or a network failure with the same body until it gets a
// 2xx, and records exactly what the gateway acknowledged.
import { type WriteBatch } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';

/** Where and as whom the load writes. */
export interface LoadOptions {
  /** Base URL of the gateway; read per request, so a restarted gateway on another port is followed. */
  gatewayUrl: () => string;
  headers: Record<string, string>;
  metric: string;
  writers: number;
  seriesPerWriter: number;
  /** Pause between one writer's acknowledged request and its next one (bounds the rate). */
  intervalMs: number;
  /** A request not acknowledged within this time fails the load (a sample would be lost to the sender). */
  retryDeadlineMs: number;
}

/** What the load sent and what the gateway acknowledged. */
export interface LoadReport {
  /** Acknowledged requests and samples. */
  requests: number;
  samples: number;
  /** Requests that needed more than one attempt, and the attempts that failed. */
  retriedRequests: number;
  failedAttempts: number;
  /** The samples acknowledged: series key (`w<writer>/s<series>`) → timestamps in ms. */
  acked: Map<string, number[]>;
}

/** The key of a series in reports: its `writer` and `series` labels. */
export function seriesKey(labels: { writer?: string; series?: string }): string {
  return `${labels.writer}/${labels.series}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `writers` sequential senders until `stop()`; each series gets one sample per request, timestamps strictly increasing. */
export class RemoteWriteLoad {
  private running = true;
  private readonly acked = new Map<string, number[]>();
  private requests = 0;
  private retriedRequests = 0;
  private failedAttempts = 0;
  private readonly loops: Promise<void>[];
  private failure: unknown = null;

  constructor(private readonly options: LoadOptions) {
    this.loops = Array.from({ length: options.writers }, (_, w) =>
      this.writer(w).catch((error: unknown) => {
        this.failure ??= error;
        this.running = false;
      }),
    );
  }

  /** Samples acknowledged so far. */
  get ackedSamples(): number {
    return this.requests * this.options.seriesPerWriter;
  }

  /** Stops after every writer's request in flight is acknowledged; throws if a request could not be. */
  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    if (this.failure)
      throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
    return {
      requests: this.requests,
      samples: this.ackedSamples,
      retriedRequests: this.retriedRequests,
      failedAttempts: this.failedAttempts,
      acked: this.acked,
    };
  }

  private batch(writer: number, t: number, value: number): WriteBatch {
    return {
      metadata: [],
      series: Array.from({ length: this.options.seriesPerWriter }, (_, s) => ({
        labels: labelsFrom({
          __name__: this.options.metric,
          writer: `w${writer}`,
          series: `s${s}`,
        }),
        timestamps: new Float64Array([t]),
        values: new Float64Array([value]),
        exemplars: [],
      })),
    };
  }

  private async writer(writer: number): Promise<void> {
    let last = 0;
    for (let i = 0; this.running; i++) {
      // Real time, so the samples sit inside every accepted window, and strictly increasing per series.
      const t = Math.max(last + 1, Date.now());
      last = t;
      const body = encodeWriteRequestV1(this.batch(writer, t, i));
      const attempts = await this.sendUntilAcked(body);
      this.requests++;
      if (attempts > 1) this.retriedRequests++;
      for (let s = 0; s < this.options.seriesPerWriter; s++) {
        const key = seriesKey({ writer: `w${writer}`, series: `s${s}` });
        let list = this.acked.get(key);
        if (!list) this.acked.set(key, (list = []));
        list.push(t);
      }
      await sleep(this.options.intervalMs);
    }
  }

  private async sendUntilAcked(body: Buffer): Promise<number> {
    const deadline = Date.now() + this.options.retryDeadlineMs;
    let backoff = 100;
    for (let attempt = 1; ; attempt++) {
      let outcome: string;
      try {
        const res = await fetch(`${this.options.gatewayUrl()}/api/v1/write`, {
          method: 'POST',
          headers: {
            ...this.options.headers,
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) return attempt;
        // Prometheus drops a 4xx other than 429 for good: the drill must never send one.
        if (res.status !== 429 && res.status < 500)
          throw new Error(`write refused with ${res.status}: ${text}`);
        outcome = `${res.status} ${text.slice(0, 200)}`;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('write refused')) throw error;
        outcome = String(error);
      }
      this.failedAttempts++;
      if (Date.now() > deadline)
        throw new Error(
          `a write was not acknowledged within ${this.options.retryDeadlineMs} ms; last: ${outcome}`,
        );
      await sleep(backoff);
      backoff = Math.min(1_000, backoff * 2);
    }
  }
}
