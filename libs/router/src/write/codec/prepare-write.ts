import {
  type IngestSeriesInput,
  type IngestTenantSettings,
  type LabelInjection,
  type MetricMetadata,
  type ValidationOptions,
  type WriteStats,
  decodeHttpWrite,
  encodeIngestMessage,
  partitionOf,
  partitionOfLow52,
  seriesHash,
  writeStats,
} from '@strata/remote-write';
import { type SampleWindow, type WindowRefusals, keepWithin, noRefusals } from '../sample-window';

/** One remote write as the router turns it into ingest messages. */
export interface PrepareWriteInput {
  readonly tenantId: string;
  readonly body: Uint8Array;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  readonly options: ValidationOptions;
  readonly partitions: number;
  /** Largest ingest message; below the server's max_payload so the bus never chunks one. */
  readonly maxMessageBytes: number;
  /** Timestamps the tenant may write now; samples outside are refused, the rest still stored. */
  readonly window: SampleWindow;
  /** The tenant's head settings every message carries. */
  readonly settings: IngestTenantSettings;
}

/** Ingest messages of one write, in publishing order, with what they hold. */
export interface PreparedWrite {
  /** What the messages hold (refused samples not counted). */
  readonly stats: WriteStats;
  /** Samples left out for being outside the window, by reason. */
  readonly refused: WindowRefusals;
  readonly metadata: number;
  /** `index` counts the messages of a partition, for deterministic message ids. */
  readonly messages: ReadonlyArray<{ partition: number; index: number; data: Uint8Array }>;
}

/**
 * Decodes and validates a remote write body with the tenant's labels injected, splits it by
 * series hash and encodes each partition's part into bounded ingest messages. Pure, so it runs
 * the same on the event loop or in a codec thread. Throws RemoteWriteError on bad input.
 */
export function prepareWrite(input: PrepareWriteInput, injection: LabelInjection): PreparedWrite {
  const { batch } = decodeHttpWrite(
    input.body,
    { contentType: input.contentType, contentEncoding: input.contentEncoding },
    input.options,
    injection,
  );
  const all = writeStats(batch);
  const refused = noRefusals();
  const parts = new Map<number, IngestSeriesInput[]>();
  for (const decoded of batch.series) {
    const s = keepWithin(decoded, input.window, refused);
    if (s === null) continue;
    const p = partitionOfLow52(decoded.hashLow52, input.partitions);
    const list = parts.get(p);
    if (list) list.push(s);
    else parts.set(p, [s]);
  }
  const stats: WriteStats = {
    ...all,
    samples: all.samples - refused.sample_too_far_in_future - refused.sample_too_old,
  };
  // Metadata goes to the partition of its family name, so one partition answers for a family.
  const metadata = new Map<number, MetricMetadata[]>();
  for (const m of batch.metadata) {
    const p = partitionOf(
      seriesHash([{ name: '__name__', value: m.metricFamilyName }]),
      input.partitions,
    );
    const list = metadata.get(p);
    if (list) list.push(m);
    else metadata.set(p, [m]);
    if (!parts.has(p)) parts.set(p, []);
  }
  const messages: Array<{ partition: number; index: number; data: Uint8Array }> = [];
  if (stats.samples + stats.exemplars === 0 && batch.metadata.length === 0)
    return { stats, refused, metadata: 0, messages };
  for (const [partition, series] of parts) {
    const encoded = encodeBounded(
      input.tenantId,
      series,
      input.maxMessageBytes,
      metadata.get(partition),
      input.settings,
    );
    encoded.forEach((data, index) => messages.push({ partition, index, data }));
  }
  return { stats, refused, metadata: batch.metadata.length, messages };
}

/**
 * Encodes a partition's series into messages of at most `maxBytes` (halving the series list
 * until each part fits), so ingest messages are never chunked by the bus: the ingester then
 * applies every message synchronously in stream order, which its sequence bookkeeping relies on.
 */
export function encodeBounded(
  tenant: string,
  series: IngestSeriesInput[],
  maxBytes: number,
  metadata: readonly MetricMetadata[] = [],
  settings?: IngestTenantSettings,
): Buffer[] {
  const whole = encodeIngestMessage(tenant, series, metadata, settings);
  if (whole.length <= maxBytes || series.length <= 1) return [whole];
  const mid = series.length >> 1;
  // Metadata rides with the first half only, so it is stored once.
  return [
    ...encodeBounded(tenant, series.slice(0, mid), maxBytes, metadata, settings),
    ...encodeBounded(tenant, series.slice(mid), maxBytes, [], settings),
  ];
}
