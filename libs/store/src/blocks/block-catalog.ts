import { type ListedBlock, coveredBlocks, listTenantBlocks, listTenants } from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import { type BlockMeta } from '@strata/tsdb';

/** What one sync of the catalog changed. */
export interface CatalogSyncResult {
  tenants: number;
  blocks: number;
  added: Array<{ tenant: string; ulid: string }>;
  removed: Array<{ tenant: string; ulid: string }>;
  /** Blocks whose meta.json did not validate: not served, reported on every sync. */
  failed: Array<{ tenant: string; ulid: string; reason: string }>;
}

/**
 * The blocks this store serves, by tenant, as of the last listing of the bucket. Only the tenants
 * `owns` accepts are listed; a block's meta is read once (a ULID never changes). A block marked
 * for deletion is still served for `ignoreDeletionMarksDelayMs` after its mark (Thanos'
 * `--ignore-deletion-marks-delay`): a listing that raced a compaction may have missed the new
 * block but seen the marks of its sources. A block whose sources another listed block contains
 * (a compaction's input once its output is listed) is not served.
 */
export class BlockCatalog {
  private byTenant = new Map<string, Map<string, BlockMeta>>();

  constructor(
    private readonly bucket: Bucket,
    private readonly owns: (tenant: string) => boolean,
    private readonly ignoreDeletionMarksDelayMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Lists the bucket and replaces the catalog with what it holds now. */
  async sync(): Promise<CatalogSyncResult> {
    const next = new Map<string, Map<string, BlockMeta>>();
    const added: CatalogSyncResult['added'] = [];
    const failed: CatalogSyncResult['failed'] = [];
    let blocks = 0;
    for (const tenant of await listTenants(this.bucket)) {
      if (!this.owns(tenant)) continue;
      const known = this.byTenant.get(tenant);
      const listing = await listTenantBlocks(this.bucket, tenant, {
        knownMetas: known,
        readMarked: this.ignoreDeletionMarksDelayMs > 0,
      });
      for (const f of listing.failed) failed.push({ tenant, ...f });
      const recentlyMarked = listing.marked.filter(
        (b) => b.deletionTime * 1000 > this.now() - this.ignoreDeletionMarksDelayMs,
      );
      const candidates = [...listing.blocks, ...recentlyMarked];
      const covered = coveredBlocks(candidates);
      const served = candidates.filter((b) => !covered.has(b.ulid));
      if (served.length === 0) continue;
      const metas = new Map<string, BlockMeta>();
      for (const b of served) {
        metas.set(b.ulid, b.meta);
        if (!known?.has(b.ulid)) added.push({ tenant, ulid: b.ulid });
      }
      blocks += metas.size;
      next.set(tenant, metas);
    }
    const removed: CatalogSyncResult['removed'] = [];
    for (const [tenant, metas] of this.byTenant)
      for (const ulid of metas.keys())
        if (!next.get(tenant)?.has(ulid)) removed.push({ tenant, ulid });
    this.byTenant = next;
    return { tenants: next.size, blocks, added, removed, failed };
  }

  /** The tenant's blocks overlapping the inclusive window [mint, maxt], oldest ULID first. */
  blocksFor(tenant: string, mint: number, maxt: number): ListedBlock[] {
    const out: ListedBlock[] = [];
    for (const [ulid, meta] of this.byTenant.get(tenant) ?? [])
      if (meta.minTime <= maxt && meta.maxTime > mint) out.push({ tenant, ulid, meta });
    return out.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
  }

  /** Blocks listed now, over every tenant. */
  get size(): number {
    let n = 0;
    for (const m of this.byTenant.values()) n += m.size;
    return n;
  }
}
