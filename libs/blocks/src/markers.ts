import { StrataError } from '@strata/contracts';
import { z } from 'zod';

/** Thanos' `deletion-mark.json`: the block was marked for deletion at `deletion_time` (Unix seconds). */
export const deletionMarkSchema = z
  .object({
    id: z.string(),
    deletion_time: z.number().int(),
    version: z.literal(1),
    details: z.string().optional(),
  })
  .passthrough();

/** A parsed deletion mark. */
export type DeletionMark = z.infer<typeof deletionMarkSchema>;

/** Parses a deletion mark; a mark naming another block or of an unknown version is refused. */
export function parseDeletionMark(bytes: Uint8Array | string, ulid: string): DeletionMark {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StrataError(
      'validation_failed',
      `deletion-mark.json of ${ulid}: not JSON: ${(e as Error).message}`,
    );
  }
  const parsed = deletionMarkSchema.safeParse(json);
  if (!parsed.success)
    throw new StrataError(
      'validation_failed',
      `deletion-mark.json of ${ulid}: ${parsed.error.issues[0].message}`,
    );
  if (parsed.data.id !== ulid)
    throw new StrataError(
      'validation_failed',
      `deletion-mark.json of ${ulid} names block ${parsed.data.id}`,
    );
  return parsed.data;
}

/** A deletion mark for `ulid` as Thanos writes it (tab-indented JSON). */
export function formatDeletionMark(
  ulid: string,
  deletionTimeSeconds: number,
  details?: string,
): string {
  const mark: DeletionMark = {
    id: ulid,
    deletion_time: deletionTimeSeconds,
    version: 1,
    ...(details ? { details } : {}),
  };
  return `${JSON.stringify(mark, null, '\t')}\n`;
}

/** Thanos' `no-compact-mark.json`: the compactor leaves the block out of every compaction. */
export const noCompactMarkSchema = z
  .object({
    id: z.string(),
    version: z.literal(1),
    /** Unix seconds. */
    no_compact_time: z.number().int(),
    /** Thanos' reasons: `manual`, `index-size-exceeding`, `block-overlapping`, … */
    reason: z.string(),
    details: z.string().optional(),
  })
  .passthrough();

/** A parsed no-compact mark. */
export type NoCompactMark = z.infer<typeof noCompactMarkSchema>;

/** Parses a no-compact mark; a mark naming another block or of an unknown version is refused. */
export function parseNoCompactMark(bytes: Uint8Array | string, ulid: string): NoCompactMark {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StrataError(
      'validation_failed',
      `no-compact-mark.json of ${ulid}: not JSON: ${(e as Error).message}`,
    );
  }
  const parsed = noCompactMarkSchema.safeParse(json);
  if (!parsed.success)
    throw new StrataError(
      'validation_failed',
      `no-compact-mark.json of ${ulid}: ${parsed.error.issues[0].message}`,
    );
  if (parsed.data.id !== ulid)
    throw new StrataError(
      'validation_failed',
      `no-compact-mark.json of ${ulid} names block ${parsed.data.id}`,
    );
  return parsed.data;
}

/** A no-compact mark for `ulid` as Thanos writes it (tab-indented JSON). */
export function formatNoCompactMark(
  ulid: string,
  timeSeconds: number,
  reason: string,
  details?: string,
): string {
  const mark: NoCompactMark = {
    id: ulid,
    version: 1,
    no_compact_time: timeSeconds,
    reason,
    ...(details ? { details } : {}),
  };
  return `${JSON.stringify(mark, null, '\t')}\n`;
}
