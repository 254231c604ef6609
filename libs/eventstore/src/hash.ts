import { createHash } from 'node:crypto';
import { type EventMetadata } from './types';

/** The hash of the event before the first one. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth. jsonb reorders keys and drops whitespace, so the
 * hash must not depend on either, or a stored event would not verify after a round trip.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields one event's hash covers. */
export interface HashedFields {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: string;
  prevHash: string;
}

/** sha256 (hex) over the canonical encoding of an event and the hash of its predecessor. */
export function eventHash(fields: HashedFields): string {
  const canonical = canonicalJson([
    fields.position,
    fields.streamId,
    fields.version,
    fields.type,
    fields.data,
    fields.metadata,
    fields.recordedAt,
    fields.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
