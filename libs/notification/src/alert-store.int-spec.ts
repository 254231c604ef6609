import { connectBus, type NatsBus } from '@strata/bus';
import { type StoredAlert } from '@strata/contracts';
import { TenantAlertmanager, parseAlertmanagerConfig } from '@strata/alertmanager';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { AlertStore } from './alert-store';

const alert = (fingerprint: string, updatedAt: number, name = 'A'): StoredAlert => ({
  labels: { alertname: name },
  annotations: {},
  startsAt: updatedAt,
  endsAt: null,
  generatorURL: '',
  updatedAt,
  timeout: true,
  fingerprint,
});

/** Two replicas snapshot the same alerts to one bucket; a restart must find everything up to the head. */
describe('alert snapshots in KV', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'as' });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('never lets an older snapshot part replace a newer one, whoever writes last', async () => {
    const kv = await bus.openKv(uniqueName('alerts'));
    const now = Date.now();
    const ahead = new AlertStore(kv);
    const behind = new AlertStore(kv);
    // Both replicas folded the batch of seq 1; only `ahead` folded seq 2, a newer version.
    ahead.apply('acme', [alert('aa01', now - 2_000)]);
    behind.apply('acme', [alert('aa01', now - 2_000)]);
    ahead.apply('acme', [alert('aa01', now - 1_000, 'Newer')]);
    await ahead.snapshot(now, 2);
    await behind.snapshot(now, 1);

    const restarted = new AlertStore(kv);
    expect(await restarted.load()).toBe(2);
    expect(restarted.alertsOf('acme').map((a) => a.labels.alertname)).toEqual(['Newer']);
  });

  it('keeps parts by tenant and fingerprint prefix, and drops alerts a day old', async () => {
    const kv = await bus.openKv(uniqueName('alerts'));
    const now = Date.now();
    const store = new AlertStore(kv);
    store.apply('acme', [
      alert('aa01', now),
      alert('ab02', now),
      alert('aa03', now - 25 * 3_600_000),
    ]);
    store.apply('beta', [alert('aa01', now)]);
    await store.snapshot(now, 7);
    expect((await kv.keys('alertsnap.>')).sort()).toEqual([
      'alertsnap.acme.aa',
      'alertsnap.acme.ab',
      'alertsnap.beta.aa',
    ]);
    const restarted = new AlertStore(kv);
    expect(await restarted.load()).toBe(7);
    expect(
      restarted
        .alertsOf('acme')
        .map((a) => a.fingerprint)
        .sort(),
    ).toEqual(['aa01', 'ab02']);
    expect(restarted.alertsOf('beta').map((a) => a.fingerprint)).toEqual(['aa01']);
    // Nothing changed since: the next snapshot writes nothing, the head stays.
    await restarted.snapshot(now, 9);
    expect((await kv.get('alertsnap-head'))?.json()).toEqual({ seq: 7 });
  });

  it('migrates per-alert keys of earlier builds into the snapshot, then deletes them', async () => {
    const kv = await bus.openKv(uniqueName('alerts'));
    const now = Date.now();
    const before = new AlertStore(kv);
    before.apply('acme', [alert('aa01', now - 1_000, 'InSnapshot')]);
    await before.snapshot(now, 3);
    // What an earlier build left: an older version of a snapshotted alert, and two it alone has.
    await kv.put('alert.acme.aa01', alert('aa01', now - 5_000, 'Older'));
    await kv.put('alert.acme.cd02', alert('cd02', now - 2_000, 'OnlyInKeys'));
    await kv.put('alert.beta.ef03', alert('ef03', now - 2_000, 'OtherTenant'));

    const migrating = new AlertStore(kv);
    expect(await migrating.load()).toBe(3);
    const names = (s: AlertStore, t: string) =>
      s
        .alertsOf(t)
        .map((a) => a.labels.alertname)
        .sort();
    expect(names(migrating, 'acme')).toEqual(['InSnapshot', 'OnlyInKeys']);
    expect(names(migrating, 'beta')).toEqual(['OtherTenant']);
    await migrating.snapshot(now, 3);
    expect(await kv.keys('alert.>')).toEqual([]);

    const restarted = new AlertStore(kv);
    await restarted.load();
    expect(names(restarted, 'acme')).toEqual(['InSnapshot', 'OnlyInKeys']);
    expect(names(restarted, 'beta')).toEqual(['OtherTenant']);
  });

  it('snapshots what a tenant merged into the map it keeps in the store, re-posts included', async () => {
    const kv = await bus.openKv(uniqueName('alerts'));
    const store = new AlertStore(kv);
    const am = new TenantAlertmanager(
      'acme',
      parseAlertmanagerConfig('route:\n  receiver: r\nreceivers:\n  - name: r\n'),
      {
        nflog: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() },
        send: () => Promise.resolve(),
        externalURL: 'http://am',
        alerts: store.heldBy('acme'),
      },
    );
    const posted = { labels: { alertname: 'Disk' }, annotations: { summary: 'full' } };
    const now = Date.now();
    store.marked('acme', am.post([posted], now - 60_000));
    store.marked('acme', am.post([{ ...posted, annotations: { summary: 'fuller' } }], now));
    await store.snapshot(now, 2);
    await am.stop();

    const restarted = new AlertStore(kv);
    expect(await restarted.load()).toBe(2);
    expect(restarted.alertsOf('acme')).toEqual([
      expect.objectContaining({
        annotations: { summary: 'fuller' },
        startsAt: now - 60_000,
        updatedAt: now,
      }),
    ]);
  });
});
