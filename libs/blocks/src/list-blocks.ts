import { type Bucket, isObjectNotFound } from '@strata/objstore';
import { type BlockMeta } from '@strata/tsdb';
import { DELETION_MARK_FILE, NO_COMPACT_MARK_FILE, blockKey, isBlockUlid } from './layout';
import { type NoCompactMark, parseDeletionMark, parseNoCompactMark } from './markers';
import { readBlockMeta, readObject } from './read-meta';

/** A block found in the bucket, readable. */
export interface ListedBlock {
  readonly tenant: string;
  readonly ulid: string;
  readonly meta: BlockMeta;
}

/** A block with a deletion mark: still readable until the compactor deletes it. */
export interface MarkedBlock extends ListedBlock {
  /** `deletion_time` of the mark, Unix seconds. */
  readonly deletionTime: number;
}

/** What a listing of one tenant's blocks found. */
export interface TenantBlockListing {
  /** Blocks with a valid meta.json and no deletion mark, by ULID (so by creation time). */
  readonly blocks: ListedBlock[];
  /** ULIDs with a deletion mark: left out. */
  readonly markedForDeletion: string[];
  /** With `readMarked`: the marked blocks whose meta.json is still there, and when they were marked. */
  readonly marked: MarkedBlock[];
  /** ULIDs whose meta.json or mark could not be read or validated, with why: left out. */
  readonly failed: Array<{ ulid: string; reason: string }>;
  /** With `readNoCompact`: the unmarked-for-deletion blocks carrying a no-compact mark, by ULID. */
  readonly noCompact: Map<string, NoCompactMark>;
}

/** Options of {@link listTenantBlocks}. */
export interface ListTenantBlocksOptions {
  /** Metas already read (a ULID's meta never changes), so a re-listing only reads new blocks. */
  readonly knownMetas?: ReadonlyMap<string, BlockMeta>;
  /** Concurrent reads of meta.json and markers (default 16). */
  readonly concurrency?: number;
  /** Also read the metas of marked blocks into `marked` (the compactor and the store need them). */
  readonly readMarked?: boolean;
  /** Also read `no-compact-mark.json` of the listed blocks into `noCompact` (the compactor needs them). */
  readonly readNoCompact?: boolean;
}

/** Tenants with a folder in the bucket (top-level directories). */
export async function listTenants(bucket: Bucket): Promise<string[]> {
  const out: string[] = [];
  for await (const key of bucket.list('')) if (key.endsWith('/')) out.push(key.slice(0, -1));
  return out;
}

/**
 * A tenant's blocks, as Thanos' meta fetcher sees them: a ULID directory without meta.json is
 * still being uploaded (or was abandoned) and is skipped; one with `deletion-mark.json` is going
 * away and is skipped; a meta that does not validate, or names another tenant, is reported.
 */
export async function listTenantBlocks(
  bucket: Bucket,
  tenant: string,
  options: ListTenantBlocksOptions = {},
): Promise<TenantBlockListing> {
  const ulids: string[] = [];
  for await (const key of bucket.list(tenant)) {
    const name = key.slice(tenant.length + 1, -1);
    if (key.endsWith('/') && isBlockUlid(name)) ulids.push(name);
  }
  const blocks: ListedBlock[] = [];
  const markedForDeletion: string[] = [];
  const marked: MarkedBlock[] = [];
  const failed: Array<{ ulid: string; reason: string }> = [];
  const noCompact = new Map<string, NoCompactMark>();
  await forEachLimited(ulids, options.concurrency ?? 16, async (ulid) => {
    try {
      const markBytes = await readIfPresent(bucket, blockKey(tenant, ulid, DELETION_MARK_FILE));
      const mark = markBytes === null ? null : parseDeletionMark(markBytes, ulid);
      if (mark !== null) markedForDeletion.push(ulid);
      if (mark !== null && !options.readMarked) return;
      const known = options.knownMetas?.get(ulid);
      const meta =
        known ??
        (await readBlockMeta(bucket, tenant, ulid).catch((e: unknown) => {
          if (isObjectNotFound(e)) return null;
          throw e;
        }));
      if (meta === null) return;
      if (mark !== null) {
        marked.push({ tenant, ulid, meta, deletionTime: mark.deletion_time });
        return;
      }
      if (options.readNoCompact) {
        const bytes = await readIfPresent(bucket, blockKey(tenant, ulid, NO_COMPACT_MARK_FILE));
        if (bytes !== null) noCompact.set(ulid, parseNoCompactMark(bytes, ulid));
      }
      blocks.push({ tenant, ulid, meta });
    } catch (e) {
      failed.push({ ulid, reason: e instanceof Error ? e.message : String(e) });
    }
  });
  blocks.sort((a, b) => (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
  markedForDeletion.sort();
  marked.sort((a, b) => (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
  failed.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
  return { blocks, markedForDeletion, marked, failed, noCompact };
}

function readIfPresent(bucket: Bucket, key: string): Promise<Buffer | null> {
  return readObject(bucket, key).catch((e: unknown) => {
    if (isObjectNotFound(e)) return null;
    throw e;
  });
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
