import { join } from 'node:path';
import { type ListedBlock, coveredBlocks, listTenantBlocks } from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import { CorruptBlockError, InvalidBlockError, RESOLUTION_1H, RESOLUTION_5M } from '@strata/tsdb';
import { type CompactionStep, compactBlocks } from '../executor/compact-blocks';
import { type DedupFunc } from '../executor/replica-dedup.stage';
import { downsampleBlock } from '../executor/downsample-block';
import { planCompaction } from '../planner/plan-compaction';
import { type DownsampleSettings, planDownsampling } from '../planner/plan-downsampling';
import { type DeletionRewrite, applyDeletions } from './apply-deletions';
import { abandonedUploads, deleteBlockFolder, markForDeletion } from './bucket-cleanup';
import { type Retention, blocksPastRetention } from './retention';

/** How a compactor cycles over one tenant. */
export interface TenantCycleSettings {
  readonly ranges: readonly number[];
  readonly deleteDelayMs: number;
  readonly partialUploadAgeMs: number;
  readonly replicaLabels: ReadonlySet<string>;
  readonly dedupFunc: DedupFunc;
  /** Local folder for blocks being written. */
  readonly workDir: string;
  readonly downsample: DownsampleSettings;
}

/** What one cycle over a tenant did. */
export interface TenantCycleResult {
  readonly compactions: Array<{ ulid: string; level: number; sources: number; seconds: number }>;
  /** Blocks made at a coarser resolution, from which block. */
  readonly downsamplings: Array<{
    ulid: string;
    from: string;
    resolution: number;
    seconds: number;
  }>;
  /** Blocks marked for deletion, by why. */
  readonly marked: { covered: number; retention: number };
  readonly deleted: number;
  readonly abandonedUploadsRemoved: number;
  /** Blocks left out of compaction by a `no-compact-mark.json`, with the mark's reason. */
  readonly noCompact: ReadonlyArray<{ ulid: string; reason: string }>;
  /** Blocks written again without the samples of pending deletion requests. */
  readonly rewrites: readonly DeletionRewrite[];
  /** Deletion requests whose samples left the bucket in this cycle. */
  readonly deletionsApplied: readonly string[];
  /** Set when the tenant must not be compacted further until an operator looks. */
  readonly halted?: string;
}

/** What a cycle may be given for tests and metrics. */
export interface TenantCycleHooks {
  readonly now?: () => number;
  readonly afterStep?: (step: CompactionStep, ulid: string) => void | Promise<void>;
}

/** Upper bound of compactions per cycle, so one tenant cannot hold a replica forever. */
const MAX_COMPACTIONS_PER_CYCLE = 64;

/**
 * One cycle over a tenant's blocks: mark blocks another block contains (a compaction that
 * stopped before its marks), mark blocks past retention, delete marked blocks older than the
 * delete delay, remove abandoned uploads, rewrite blocks holding samples of pending deletion
 * requests (see `applyDeletions`), then compact as the planner says until nothing is left
 * to do. Every step only adds a block, adds a mark, or removes what is marked or was never
 * visible, so a cycle killed anywhere and run again converges without losing or doubling data.
 * A block that cannot be read or validated, or an overlap no aligned block can hold, halts the
 * tenant (Thanos' halt) instead of guessing.
 */
export async function runTenantCycle(
  bucket: Bucket,
  tenant: string,
  settings: TenantCycleSettings,
  retention: Retention,
  hooks: TenantCycleHooks = {},
): Promise<TenantCycleResult> {
  const now = hooks.now ?? Date.now;
  const result = {
    compactions: [] as TenantCycleResult['compactions'],
    downsamplings: [] as TenantCycleResult['downsamplings'],
    marked: { covered: 0, retention: 0 },
    deleted: 0,
    abandonedUploadsRemoved: 0,
    noCompact: [] as TenantCycleResult['noCompact'],
    rewrites: [] as DeletionRewrite[],
    deletionsApplied: [] as string[],
  };
  const listing = await listTenantBlocks(bucket, tenant, { readMarked: true, readNoCompact: true });
  if (listing.failed.length > 0)
    return {
      ...result,
      halted: `unreadable blocks: ${listing.failed.map((f) => `${f.ulid} (${f.reason})`).join('; ')}`,
    };

  const covered = coveredBlocks([...listing.blocks, ...listing.marked]);
  const redundant = listing.blocks.filter((b) => covered.has(b.ulid));
  await markForDeletion(bucket, tenant, redundant, now(), 'contained in another block');
  result.marked.covered = redundant.length;
  let live = listing.blocks.filter((b) => !covered.has(b.ulid));

  const expired = blocksPastRetention(live, retention, now());
  await markForDeletion(bucket, tenant, expired, now(), 'past retention');
  result.marked.retention = expired.length;
  live = live.filter((b) => !expired.includes(b));

  const remainingMarked: ListedBlock[] = [...redundant, ...expired];
  for (const b of listing.marked)
    if (b.deletionTime * 1000 + settings.deleteDelayMs <= now()) {
      await deleteBlockFolder(bucket, tenant, b.ulid);
      result.deleted++;
    } else remainingMarked.push(b);
  for (const ulid of await abandonedUploads(bucket, tenant, now(), settings.partialUploadAgeMs)) {
    await deleteBlockFolder(bucket, tenant, ulid);
    result.abandonedUploadsRemoved++;
  }

  try {
    const deletions = await applyDeletions({
      bucket,
      tenant,
      workDir: join(settings.workDir, tenant),
      now,
      live,
      marked: remainingMarked,
      noCompact: listing.noCompact,
      headWindowMs: 2 * settings.ranges[0],
    });
    live = deletions.live;
    result.rewrites = deletions.rewrites;
    result.deletionsApplied = deletions.applied;
  } catch (e) {
    if (e instanceof CorruptBlockError || e instanceof InvalidBlockError)
      return { ...result, halted: `applying deletions: ${e.message}` };
    throw e;
  }

  // Thanos' no-compact mark: an operator (or a halt) kept the block out of compactions; retention,
  // downsampling and deletions still apply to it.
  const noCompact = listing.noCompact;
  result.noCompact = [...noCompact].map(([ulid, m]) => ({ ulid, reason: m.reason }));
  for (let i = 0; i < MAX_COMPACTIONS_PER_CYCLE; i++) {
    // Each resolution is compacted on its own, raw first (Thanos' groups per resolution).
    let plan: ReturnType<typeof planCompaction> = { kind: 'none' };
    let resolution = 0;
    for (resolution of RESOLUTIONS) {
      plan = planCompaction(
        live.filter(
          (b) =>
            (b.meta.thanos?.downsample.resolution ?? 0) === resolution && !noCompact.has(b.ulid),
        ),
        settings.ranges,
      );
      if (plan.kind !== 'none') break;
    }
    if (plan.kind === 'none') break;
    if (plan.kind === 'halt') return { ...result, halted: plan.reason };
    const started = now();
    let meta;
    try {
      meta = await compactBlocks(plan, {
        bucket,
        tenant,
        workDir: join(settings.workDir, tenant),
        // Downsampled blocks come from raw blocks already deduplicated.
        replicaLabels: resolution === 0 ? settings.replicaLabels : new Set<string>(),
        dedupFunc: settings.dedupFunc,
        now,
        afterStep: hooks.afterStep,
      });
    } catch (e) {
      if (e instanceof CorruptBlockError || e instanceof InvalidBlockError)
        return {
          ...result,
          halted: `compacting ${plan.blocks.map((b) => b.ulid).join(', ')}: ${e.message}`,
        };
      throw e;
    }
    result.compactions.push({
      ulid: meta.ulid,
      level: meta.compaction.level,
      sources: plan.blocks.length,
      seconds: (now() - started) / 1000,
    });
    const used = new Set(plan.blocks.map((b) => b.ulid));
    live = [
      ...live.filter((b) => !used.has(b.ulid)),
      { tenant, ulid: meta.ulid, meta } as ListedBlock,
    ];
  }

  let existing: ListedBlock[] = [...live, ...listing.marked, ...redundant, ...expired];
  for (let i = 0; i < MAX_COMPACTIONS_PER_CYCLE; i++) {
    const [task] = planDownsampling(live, existing, settings.downsample);
    if (task === undefined) break;
    const started = now();
    let meta;
    try {
      meta = await downsampleBlock(task.block, task.resolution, {
        bucket,
        tenant,
        workDir: join(settings.workDir, tenant),
      });
    } catch (e) {
      if (e instanceof CorruptBlockError || e instanceof InvalidBlockError)
        return { ...result, halted: `downsampling ${task.block.ulid}: ${e.message}` };
      throw e;
    }
    result.downsamplings.push({
      ulid: meta.ulid,
      from: task.block.ulid,
      resolution: task.resolution,
      seconds: (now() - started) / 1000,
    });
    const made = { tenant, ulid: meta.ulid, meta } as ListedBlock;
    live = [...live, made];
    existing = [...existing, made];
  }
  return result;
}

const RESOLUTIONS = [0, RESOLUTION_5M, RESOLUTION_1H] as const;
