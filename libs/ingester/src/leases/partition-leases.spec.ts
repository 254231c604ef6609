import {
  type KvBucket,
  KvKeyExistsError,
  KvRevisionConflictError,
  type KvValue,
} from '@strata/bus';
import { PartitionLeases } from './partition-leases';

// Long enough that a loaded CI worker's pauses (GC, other suites) do not outlast a lease between
// two renewals: at 300 ms one did, and the leases were gone right after start.
const TTL_MS = 1_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A KV bucket in memory whose values expire TTL after their last write, as JetStream's max age does. */
class ExpiringBucket implements KvBucket {
  readonly name = 'leases';
  private revision = 0;
  private readonly entries = new Map<
    string,
    { value: Uint8Array; revision: number; writtenAt: number }
  >();
  /** When set, `keys` never answers (a listing stuck on a node that died). */
  hangKeys = false;

  private live(key: string) {
    const e = this.entries.get(key);
    if (e && Date.now() - e.writtenAt >= TTL_MS) this.entries.delete(key);
    return this.entries.get(key);
  }

  private write(key: string, value: Uint8Array | object): number {
    const bytes =
      value instanceof Uint8Array ? value : new TextEncoder().encode(JSON.stringify(value));
    this.entries.set(key, { value: bytes, revision: ++this.revision, writtenAt: Date.now() });
    return this.revision;
  }

  get(key: string): Promise<KvValue | null> {
    const e = this.live(key);
    return Promise.resolve(
      e
        ? {
            key,
            value: e.value,
            revision: e.revision,
            json: <T>() => JSON.parse(new TextDecoder().decode(e.value)) as T,
          }
        : null,
    );
  }
  put(key: string, value: Uint8Array | object): Promise<number> {
    return Promise.resolve(this.write(key, value));
  }
  create(key: string, value: Uint8Array | object): Promise<number> {
    if (this.live(key)) return Promise.reject(new KvKeyExistsError(this.name, key));
    return Promise.resolve(this.write(key, value));
  }
  update(key: string, value: Uint8Array | object, revision: number): Promise<number> {
    if (this.live(key)?.revision !== revision)
      return Promise.reject(new KvRevisionConflictError(this.name, key, revision));
    return Promise.resolve(this.write(key, value));
  }
  delete(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }
  watch(): never {
    throw new Error('not used by leases');
  }
  keys(filter = '>'): Promise<string[]> {
    if (this.hangKeys) return new Promise<string[]>(() => undefined);
    const prefix = filter.replace(/>$/, '');
    return Promise.resolve(
      [...this.entries.keys()].filter((k) => k.startsWith(prefix) && this.live(k)),
    );
  }
}

describe('partition leases', () => {
  let leases: PartitionLeases | null = null;
  afterEach(async () => {
    await leases?.stop();
    leases = null;
  });

  it('keeps renewing the leases it holds while a claimed partition takes several TTLs to start', async () => {
    const bucket = new ExpiringBucket();
    const lost: number[] = [];
    leases = new PartitionLeases(bucket, 'ingester-a', 2, TTL_MS, {
      // Partition 1 starts as slowly as a replay behind a consumer creation on a busy cluster.
      acquired: (p) => (p === 1 ? sleep(4 * TTL_MS) : Promise.resolve()),
      released: (p, voluntary) => {
        if (!voluntary) lost.push(p);
        return Promise.resolve();
      },
    });
    await leases.start();
    expect(leases.ownedPartitions()).toEqual([0, 1]);
    await sleep(3 * TTL_MS);
    expect(lost).toEqual([]);
    expect(leases.ownedPartitions()).toEqual([0, 1]);
  });

  it('goes on claiming after a member listing that never answers', async () => {
    const bucket = new ExpiringBucket();
    bucket.hangKeys = true;
    const acquired: number[] = [];
    leases = new PartitionLeases(bucket, 'ingester-b', 2, TTL_MS, {
      acquired: (p) => {
        acquired.push(p);
        return Promise.resolve();
      },
      released: () => Promise.resolve(),
    });
    await leases.start();
    expect(acquired).toEqual([]);
    bucket.hangKeys = false;
    for (let i = 0; i < 20 && acquired.length < 2; i++) await sleep(TTL_MS);
    expect(acquired).toEqual([0, 1]);
  });
});
