// Reads a drill's samples back through the gateway's Prometheus API, raw (a range selector at one
// instant returns every stored sample), and compares them with what the sender was acknowledged.
import { seriesKey } from './remote-write-load';

/** The comparison the drills assert and print. */
export interface ReadBackReport {
  acked: number;
  /** Samples the query returned, duplicates included. */
  read: number;
  /** Acknowledged samples the query did not return. */
  missing: number;
  /** Samples returned more than once (same series, same timestamp). */
  duplicates: number;
  /** Samples returned that were never acknowledged (must be 0: the sender retries until acknowledged). */
  unacknowledged: number;
  /** `sum(count_over_time(...))`: the same count as PromQL computes it. */
  promqlCount: number;
}

interface PromResponse {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      values?: Array<[number, string]>;
      value?: [number, string];
    }>;
  };
}

async function query(
  gatewayUrl: string,
  headers: Record<string, string>,
  promql: string,
  timeSeconds: number,
): Promise<PromResponse> {
  const params = new URLSearchParams({ query: promql, time: String(timeSeconds) });
  const res = await fetch(`${gatewayUrl}/api/v1/query?${params}`, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as PromResponse;
  if (!res.ok || body.status !== 'success')
    throw new Error(
      `query ${promql} answered ${res.status}: ${body.error ?? JSON.stringify(body)}`,
    );
  return body;
}

/** Reads every sample of `metric` between `fromMs` and `toMs` and compares them with `acked`. */
export async function readBack(
  gatewayUrl: string,
  headers: Record<string, string>,
  metric: string,
  acked: ReadonlyMap<string, readonly number[]>,
  fromMs: number,
  toMs: number,
): Promise<ReadBackReport> {
  const at = Math.ceil(toMs / 1000) + 1;
  const window = `${at - Math.floor(fromMs / 1000) + 1}s`;
  const raw = await query(gatewayUrl, headers, `${metric}[${window}]`, at);
  const found = new Map<string, number[]>();
  for (const series of raw.data?.result ?? []) {
    const key = seriesKey(series.metric);
    const list = found.get(key) ?? [];
    for (const [ts] of series.values ?? []) list.push(Math.round(ts * 1000));
    found.set(key, list);
  }
  let ackedCount = 0;
  let read = 0;
  let missing = 0;
  let duplicates = 0;
  let unacknowledged = 0;
  for (const [key, timestamps] of acked) {
    ackedCount += timestamps.length;
    const have = new Set(found.get(key) ?? []);
    for (const t of timestamps) if (!have.has(t)) missing++;
  }
  for (const [key, timestamps] of found) {
    read += timestamps.length;
    duplicates += timestamps.length - new Set(timestamps).size;
    const sent = new Set(acked.get(key) ?? []);
    for (const t of new Set(timestamps)) if (!sent.has(t)) unacknowledged++;
  }
  const counted = await query(
    gatewayUrl,
    headers,
    `sum(count_over_time(${metric}[${window}]))`,
    at,
  );
  const promqlCount = Number(counted.data?.result[0]?.value?.[1] ?? 0);
  return { acked: ackedCount, read, missing, duplicates, unacknowledged, promqlCount };
}

/**
 * Reads until nothing acknowledged is missing or `timeoutMs` passes (a partition may still be
 * replaying and answer 503, or applying the last writes), then returns the last comparison.
 */
export async function readBackSettled(
  gatewayUrl: string,
  headers: Record<string, string>,
  metric: string,
  acked: ReadonlyMap<string, readonly number[]>,
  fromMs: number,
  toMs: number,
  timeoutMs = 90_000,
): Promise<ReadBackReport> {
  const deadline = Date.now() + timeoutMs;
  let last: ReadBackReport | null = null;
  let lastError: unknown = null;
  for (;;) {
    try {
      last = await readBack(gatewayUrl, headers, metric, acked, fromMs, toMs);
      if (last.missing === 0) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      if (last) return last;
      throw lastError instanceof Error ? lastError : new Error(String(lastError));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
