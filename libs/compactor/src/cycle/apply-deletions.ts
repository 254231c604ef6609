import { join } from 'node:path';
import {
  DeletionMatcher,
  type DeletionRequest,
  type ListedBlock,
  NO_COMPACT_MARK_FILE,
  type NoCompactMark,
  blockKey,
  listDeletionRequests,
  putDeletionRequest,
} from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import { appliedDeletionIds, rewriteBlock } from '../executor/rewrite-block';
import { markForDeletion } from './bucket-cleanup';

/** One block written again without deleted samples. */
export interface DeletionRewrite {
  /** The new block; null when the deletions left nothing of the source. */
  readonly ulid: string | null;
  readonly from: string;
  readonly removedSamples: number;
  readonly requests: readonly string[];
}

/** What the deletion pass of a cycle needs besides the bucket. */
export interface ApplyDeletionsArgs {
  readonly bucket: Bucket;
  readonly tenant: string;
  readonly workDir: string;
  readonly now: () => number;
  /** Live blocks of the tenant, every resolution. */
  readonly live: readonly ListedBlock[];
  /** Blocks marked for deletion that are still in the bucket after this cycle's deletions. */
  readonly marked: readonly ListedBlock[];
  readonly noCompact: ReadonlyMap<string, { reason: string; details?: string }>;
  /** How long after a request samples may still come out of an ingester's head in a new block. */
  readonly headWindowMs: number;
}

/** What the deletion pass did. */
export interface ApplyDeletionsResult {
  /** The live blocks after the rewrites. */
  readonly live: ListedBlock[];
  readonly rewrites: DeletionRewrite[];
  /** Requests that became applied in this cycle. */
  readonly applied: string[];
}

const overlaps = (b: ListedBlock, r: DeletionRequest): boolean =>
  r.minTime < b.meta.maxTime && r.maxTime >= b.meta.minTime;

/**
 * Makes pending deletion requests physical: every live block overlapping a request that holds
 * matching samples is written again without them, and the source is marked for deletion (the
 * same steps as a compaction, so a crash anywhere loses or doubles nothing: a rewrite whose
 * source is not marked yet has the same sources and a newer ULID, and the cover check marks the
 * source next cycle). A request becomes `applied` once no block in the bucket, marked ones
 * included, can hold its samples: no ingester head can still flush some (`headWindowMs` after
 * it was made, or after its end) and the rewritten sources are deleted.
 */
export async function applyDeletions(args: ApplyDeletionsArgs): Promise<ApplyDeletionsResult> {
  const requests = await listDeletionRequests(args.bucket, args.tenant);
  const pending = requests.filter((r) => r.state === 'pending');
  const rewrites: DeletionRewrite[] = [];
  if (pending.length === 0) return { live: [...args.live], rewrites, applied: [] };
  const live: ListedBlock[] = [];
  const touched = new Set<DeletionRequest>();
  for (const b of args.live) {
    const done = appliedDeletionIds(b.meta);
    const todo = pending.filter((r) => overlaps(b, r) && !done.has(r.id));
    if (todo.length === 0) {
      live.push(b);
      continue;
    }
    const made = await rewriteBlock(b, {
      bucket: args.bucket,
      tenant: args.tenant,
      workDir: join(args.workDir, 'rewrite'),
      deletions: new DeletionMatcher(todo),
    });
    if (made === null) {
      live.push(b);
      continue;
    }
    const ulid = made.meta?.ulid ?? null;
    const mark = args.noCompact.get(b.ulid);
    if (mark !== undefined && ulid !== null)
      await args.bucket.put(
        blockKey(args.tenant, ulid, NO_COMPACT_MARK_FILE),
        `${JSON.stringify({ ...(mark as NoCompactMark), id: ulid }, null, '\t')}\n`,
      );
    const ids = todo.map((r) => r.id).join(', ');
    await markForDeletion(
      args.bucket,
      args.tenant,
      [b],
      args.now(),
      ulid === null
        ? `every sample deleted by deletion ${ids}`
        : `rewritten into ${ulid} without the samples of deletion ${ids}`,
    );
    rewrites.push({
      ulid,
      from: b.ulid,
      removedSamples: made.removedSamples,
      requests: todo.map((r) => r.id),
    });
    for (const r of todo) {
      if (ulid !== null) r.rewrittenBlocks.push(ulid);
      touched.add(r);
    }
    if (made.meta !== null)
      live.push({ tenant: args.tenant, ulid: made.meta.ulid, meta: made.meta });
  }
  const rewrittenFrom = new Set(rewrites.map((w) => w.from));
  const applied: string[] = [];
  for (const r of pending) {
    const headsFlushed = args.now() - Math.min(r.maxTime, r.requestedAt) >= args.headWindowMs;
    const stillMarked =
      args.marked.some((b) => overlaps(b, r)) ||
      args.live.some((b) => rewrittenFrom.has(b.ulid) && overlaps(b, r));
    if (headsFlushed && !stillMarked) {
      r.state = 'applied';
      r.appliedAt = args.now();
      touched.add(r);
      applied.push(r.id);
    }
  }
  for (const r of touched) await putDeletionRequest(args.bucket, r);
  return { live, rewrites, applied };
}
