import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus } from './connect';
import { KvKeyExistsError, KvRevisionConflictError } from './errors';
import { type KvChange } from './kv';
import { type NatsBus } from './nats-bus';

describe('KV buckets', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'kv-spec',
    });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('takes, renews and loses a lease with create and update-with-revision', async () => {
    const kv = await bus.openKv(uniqueName('leases'), { ttlMs: 60_000 });
    const taken = await kv.create('partition-3', { owner: 'ingester-a' });
    await expect(kv.create('partition-3', { owner: 'ingester-b' })).rejects.toBeInstanceOf(
      KvKeyExistsError,
    );
    const renewed = await kv.update('partition-3', { owner: 'ingester-a' }, taken);
    expect(renewed).toBeGreaterThan(taken);
    const stale = await kv
      .update('partition-3', { owner: 'ingester-b' }, taken)
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(KvRevisionConflictError);
    expect((stale as KvRevisionConflictError).code).toBe('version_conflict');
    const current = await kv.get('partition-3');
    expect(current?.json()).toEqual({ owner: 'ingester-a' });
    expect(current?.revision).toBe(renewed);
  });

  it('gets null for missing and deleted keys, and create works again after a delete', async () => {
    const kv = await bus.openKv(uniqueName('kv'));
    expect(await kv.get('nope')).toBeNull();
    const rev = await kv.put('k', new Uint8Array([1]));
    await kv.delete('k', { revision: rev });
    expect(await kv.get('k')).toBeNull();
    await expect(kv.create('k', { again: true })).resolves.toBeGreaterThan(rev);
    expect(await kv.keys()).toEqual(['k']);
  });

  it('watches current values and later changes', async () => {
    const kv = await bus.openKv(uniqueName('kv'));
    await kv.put('a', { v: 1 });
    const watch = await kv.watch();
    const changes: KvChange[] = [];
    const done = (async () => {
      for await (const c of watch) {
        changes.push(c);
        if (changes.length === 3) break;
      }
    })();
    await kv.put('b', { v: 2 });
    await kv.delete('a');
    await done;
    await watch.stop();
    expect(changes.map((c) => [c.key, c.operation])).toEqual([
      ['a', 'put'],
      ['b', 'put'],
      ['a', 'delete'],
    ]);
    expect(changes[1].json()).toEqual({ v: 2 });
  });

  it('opening an existing bucket keeps its values', async () => {
    const name = uniqueName('kv');
    await (await bus.openKv(name)).put('x', { kept: true });
    expect((await (await bus.openKv(name)).get('x'))?.json()).toEqual({ kept: true });
  });
});
