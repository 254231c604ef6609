import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { META_FILE } from '@strata/blocks';
import { FilesystemBucket } from '@strata/objstore';
import { FsBlockFiles, OutOfBoundsError, matcher, openBlock } from '@strata/tsdb';
import { PartitionHead } from '../head/partition-head';
import { BlockCutter, type BlockShipping } from './block-cutter';
import { blockUlid } from './block-ulid';
import { ShippedStore } from './shipped-record';

const D = 10_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % D);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-cut-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function shipping(): BlockShipping {
  return {
    bucket: new FilesystemBucket(join(dir, 'bucket')),
    shipped: new ShippedStore(join(dir, 'data')),
    duration: D,
    scratchDir: join(dir, 'data', 'scratch'),
  };
}

/** One sample per second for `seconds`, into two series of the tenant. */
function write(state: PartitionHead, tenant: string, from: number, seconds: number): void {
  const head = state.tenantState(tenant, true).head;
  for (let i = 0; i < seconds; i++)
    for (const job of ['a', 'b'])
      head.append(
        [
          { name: '__name__', value: 'up' },
          { name: 'job', value: job },
          { name: 'tenant_id', value: tenant },
        ],
        from + i * 1000,
        i,
      );
}

async function blockSamples(
  root: string,
  tenant: string,
  ulid: string,
): Promise<Array<[string, number]>> {
  const block = await openBlock(new FsBlockFiles(join(root, tenant, ulid)));
  const out: Array<[string, number]> = [];
  for await (const s of block.select([matcher('=', '__name__', 'up')])) {
    const it = s.iterator();
    while (it.next()) out.push([s.labels.map((l) => `${l.name}=${l.value}`).join(','), it.t]);
  }
  await block.close();
  return out;
}

describe('BlockCutter', () => {
  it('ships each tenant its own aligned blocks, refuses samples in shipped ranges and keeps the last range in the head', async () => {
    const state = new PartitionHead(0, { headOptions: { chunkRange: D } });
    write(state, 'acme', T0, 26);
    write(state, 'beta', T0 + 5_000, 10);
    const cutter = await BlockCutter.restore(state, shipping());
    const shipped = await cutter.cutDue();
    // acme reaches T0+25s: ranges ending at or before T0+20s are due; beta's head is too short.
    expect(shipped.map((b) => [b.tenant, b.range.mint - T0, b.range.maxt - T0, b.samples])).toEqual(
      [
        ['acme', 0, D, 20],
        ['acme', D, 2 * D, 20],
      ],
    );
    const root = join(dir, 'bucket');
    expect(readdirSync(join(root, 'acme')).sort()).toEqual(shipped.map((b) => b.ulid).sort());
    expect(existsSync(join(root, 'beta'))).toBe(false);
    const samples = await blockSamples(root, 'acme', shipped[0].ulid);
    expect(samples).toHaveLength(20);
    expect(samples.every(([labels]) => !labels.includes('tenant_id'))).toBe(true);

    const head = state.tenantHead('acme')!;
    expect(() => head.append(1, T0 + 2 * D - 1, 0)).toThrow(OutOfBoundsError);
    // The first range is gone from the head, the last shipped one stays readable.
    expect(head.minT).toBe(T0 + D);
    expect(await cutter.cutDue()).toEqual([]);
  });

  it('after a crash, re-cutting lands on the uploaded block instead of a second copy, and completes an interrupted upload', async () => {
    const first = new PartitionHead(0, { headOptions: { chunkRange: D } });
    write(first, 'acme', T0, 16);
    const s = shipping();
    const [block] = await (await BlockCutter.restore(first, s)).cutDue();
    expect(block.uploaded).toBe(true);

    // A restart without the shipped record (another data dir): the same data, cut again.
    const again = new PartitionHead(0, { headOptions: { chunkRange: D } });
    write(again, 'acme', T0, 36);
    const other = { ...s, shipped: new ShippedStore(join(dir, 'elsewhere')) };
    const root = join(dir, 'bucket');
    // The second range's upload was interrupted before meta.json: only the index is there.
    const second = blockUlid(0, 'acme', { mint: T0 + D, maxt: T0 + 2 * D });
    await s.bucket.put(`acme/${second}/index`, 'torn');
    const recut = await (await BlockCutter.restore(again, other)).cutDue();
    const third = blockUlid(0, 'acme', { mint: T0 + 2 * D, maxt: T0 + 3 * D });
    expect(recut.map((b) => [b.ulid, b.uploaded])).toEqual([
      [block.ulid, false],
      [second, true],
      [third, true],
    ]);
    expect(readdirSync(join(root, 'acme')).sort()).toEqual([block.ulid, second, third].sort());
    expect(existsSync(join(root, 'acme', second, META_FILE))).toBe(true);
    expect(await blockSamples(root, 'acme', second)).toHaveLength(20);
  });

  it('restores the append floor from the shipped record before a replay', async () => {
    const s = shipping();
    const first = new PartitionHead(0, { headOptions: { chunkRange: D } });
    write(first, 'acme', T0, 16);
    await (await BlockCutter.restore(first, s)).cutDue();
    const restarted = new PartitionHead(0, { headOptions: { chunkRange: D } });
    await BlockCutter.restore(restarted, s);
    const head = restarted.tenantHead('acme')!;
    expect(head.minAppendTime).toBe(T0 + D);
    expect(() => head.append([{ name: '__name__', value: 'up' }], T0 + D - 1, 1)).toThrow(
      OutOfBoundsError,
    );
  });
});
