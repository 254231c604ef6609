import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { META_FILE, blockDir, putBlock } from '@strata/blocks';
import { TENANT_LABEL } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import { headBlockSeries, writeBlock } from '@strata/tsdb';
import { type PartitionHead } from '../head/partition-head';
import { blockUlid } from './block-ulid';
import { type BlockRange, nextDueRange } from './cut-planner';
import { type ShippedStore, type ShippedTenant } from './shipped-record';

/** Where a partition's blocks go and how they are cut. */
export interface BlockShipping {
  readonly bucket: Bucket;
  readonly shipped: ShippedStore;
  /** Block duration in ms (also the heads' chunk range). */
  readonly duration: number;
  /** Local scratch directory for blocks being written. */
  readonly scratchDir: string;
}

/** A block the cutter uploaded or found uploaded already. */
export interface ShippedBlock {
  readonly tenant: string;
  readonly ulid: string;
  readonly range: BlockRange;
  /** False when a previous owner (or this one before a crash) had uploaded it. */
  readonly uploaded: boolean;
  readonly samples: number;
}

/**
 * Cuts a partition's tenant heads into aligned blocks and ships them. For each due range it first
 * raises the head's append floor to the range's end and reads the range's series, both
 * synchronously between two messages, so no sample can land in the range afterwards; the
 * block is then written and uploaded asynchronously (meta.json last) under a ULID derived from
 * (partition, tenant, range), the shipped record is written, and only then does the head drop
 * what lies before the shipped range (it keeps the last range for queries).
 */
export class BlockCutter {
  private readonly log: Logger;

  private constructor(
    private readonly state: PartitionHead,
    private readonly shipping: BlockShipping,
    private readonly shipped: Map<string, ShippedTenant>,
  ) {
    this.log = new Logger(`Blocks ${state.partition}`);
  }

  /**
   * Reads the partition's shipped record and raises each tenant head's append floor to it, before
   * the stream is replayed: replayed samples of shipped ranges are in blocks already.
   */
  static async restore(state: PartitionHead, shipping: BlockShipping): Promise<BlockCutter> {
    const shipped = await shipping.shipped.read(state.partition);
    for (const [tenant, s] of shipped) {
      const head = state.tenantState(tenant, true).head;
      head.minAppendTime = Math.max(head.minAppendTime, s.shippedUntil);
    }
    await rm(join(shipping.scratchDir, `p${state.partition}`), { recursive: true, force: true });
    return new BlockCutter(state, shipping, shipped);
  }

  /** What is shipped per tenant. */
  shippedTenants(): ReadonlyMap<string, ShippedTenant> {
    return this.shipped;
  }

  /** Cuts and ships every due range of every tenant, oldest first; returns what it shipped. */
  async cutDue(): Promise<ShippedBlock[]> {
    const out: ShippedBlock[] = [];
    for (const tenant of [...this.state.tenants()]) {
      for (;;) {
        const block = await this.cutNext(tenant);
        if (block === null) break;
        if (block !== 'empty') out.push(block);
      }
    }
    return out;
  }

  private async cutNext(tenant: string): Promise<ShippedBlock | 'empty' | null> {
    const head = this.state.tenantHead(tenant);
    if (!head) return null;
    const { duration } = this.shipping;
    const before = this.shipped.get(tenant);
    const range = nextDueRange(head, before?.shippedUntil ?? -Infinity, duration);
    if (range === null) return null;
    // Synchronous from here to the first await: no message is applied in between.
    head.minAppendTime = Math.max(head.minAppendTime, range.maxt);
    const series = headBlockSeries(head, {
      mint: range.mint,
      maxt: range.maxt,
      dropLabels: [TENANT_LABEL],
    });
    const streamSeq = this.state.lastSeq;
    if (series.length === 0) {
      this.shipped.set(tenant, { ...before, shippedUntil: range.maxt, streamSeq });
      return 'empty';
    }
    const ulid = blockUlid(this.state.partition, tenant, range);
    const { bucket } = this.shipping;
    const prefix = blockDir(tenant, ulid);
    const uploaded = !(await bucket.exists(`${prefix}/${META_FILE}`));
    let samples = 0;
    if (uploaded) {
      // Files without meta.json under this name are an upload a crash interrupted: the same block, redone.
      const leftovers: string[] = [];
      for await (const key of bucket.list(prefix, { recursive: true })) leftovers.push(key);
      for (const key of leftovers) await bucket.delete(key);
      const parentDir = join(this.shipping.scratchDir, `p${this.state.partition}`);
      await mkdir(parentDir, { recursive: true });
      const written = await writeBlock({
        parentDir,
        series,
        minTime: range.mint,
        maxTime: range.maxt,
        ulid,
        tenant,
        source: 'receive',
      });
      try {
        await putBlock(bucket, tenant, written.dir);
      } finally {
        await rm(written.dir, { recursive: true, force: true });
      }
      samples = written.meta.stats.numSamples ?? 0;
      this.log.log(
        `shipped ${prefix} [${range.mint}, ${range.maxt}) ${samples} samples, ${series.length} series (sequence ${streamSeq})`,
      );
    } else {
      this.log.log(`${prefix} [${range.mint}, ${range.maxt}) was shipped already`);
    }
    this.shipped.set(tenant, { shippedUntil: range.maxt, streamSeq, lastBlock: ulid });
    await this.shipping.shipped.write(this.state.partition, this.shipped);
    // The head keeps the last shipped range, so queries see it while stores discover the block.
    this.state.truncateTenant(tenant, range.maxt - duration);
    return { tenant, ulid, range, uploaded, samples };
  }
}
