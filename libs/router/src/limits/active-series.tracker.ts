import { Logger } from '@nestjs/common';
import { type KvProvider, type KvWatch } from '@strata/bus';
import { type ActiveSeriesReport, KvBuckets } from '@strata/contracts';

/** Reports older than this are ignored: their partition's owner stopped reporting. */
const STALE_MS = 60_000;

/** Options of the active-series bucket, shared by the ingesters that write it and the routers that read it. */
export const ACTIVE_SERIES_BUCKET_OPTIONS = { ttlMs: STALE_MS, history: 1 } as const;

/**
 * Sums the active series per tenant over the partitions' latest reports, which ingesters put in
 * a KV bucket; a watch keeps the sums current without asking anyone on the write path.
 */
export class ActiveSeriesTracker {
  private readonly log = new Logger('ActiveSeriesTracker');
  private readonly reports = new Map<string, ActiveSeriesReport>();
  private watch: KvWatch | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KvProvider,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens the bucket and follows it in the background. */
  async start(): Promise<void> {
    const bucket = await this.kv.openKv(KvBuckets.activeSeries, ACTIVE_SERIES_BUCKET_OPTIONS);
    const watch = await bucket.watch();
    this.watch = watch;
    this.loop = (async () => {
      try {
        for await (const change of watch) {
          if (change.operation === 'delete') this.reports.delete(change.key);
          else this.reports.set(change.key, change.json<ActiveSeriesReport>());
        }
      } catch (error) {
        this.log.warn(`active series watch ended: ${String(error)}`);
      }
    })();
  }

  /** Stops following. */
  async stop(): Promise<void> {
    await this.watch?.stop();
    await this.loop;
  }

  /** Active series of a tenant over all partitions, as last reported. */
  activeSeries(tenantId: string): number {
    const fresh = this.now() - STALE_MS;
    let n = 0;
    for (const r of this.reports.values()) if (r.at >= fresh) n += r.tenants[tenantId] ?? 0;
    return n;
  }
}
