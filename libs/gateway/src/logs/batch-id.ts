import { createHash } from 'node:crypto';

/** Same tenant, source and bytes: the same batch, stored once however often it is retried. */
export function requestBatchId(tenantId: string, source: string, body: Uint8Array): string {
  return createHash('sha256').update(`${tenantId}\n${source}\n`).update(body).digest('hex');
}

/** Nanoseconds since the epoch now, the time of records that carry none. */
export function nowNs(): string {
  return (BigInt(Date.now()) * 1_000_000n).toString();
}
