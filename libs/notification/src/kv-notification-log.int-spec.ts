import { createHash } from 'node:crypto';
import { connectBus, type KvBucket, type NatsBus } from '@strata/bus';
import { type NotificationLogEntry, needsUpdate } from '@strata/alertmanager';
import { type NotificationLease, notificationLeaseKey } from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { DeliveryLeases, type DeliveryLeaseTimes } from './delivery-leases';
import { KvNotificationLog, NotificationLogWriter } from './kv-notification-log';

const TENANT = 'acme';
const RECEIVER = 'hook/webhook/0';
const group = (name: string) => `{}:{alertname="${name}"}`;
/** Long enough that no pause of a loaded machine lets a renewed lease lapse. */
const LONG: DeliveryLeaseTimes = { ttlMs: 60_000, renewEveryMs: 20_000 };
/** Short enough for a dead holder's lease to lapse within the spec. */
const SHORT: DeliveryLeaseTimes = { ttlMs: 2_000, renewEveryMs: 500 };
/** A survivor that asks often, and once it holds the lease keeps it through any pause. */
const EAGER: DeliveryLeaseTimes = { ttlMs: 60_000, renewEveryMs: 500 };
const RETENTION_MS = 120 * 3_600_000;

/** The buckets of one spec: the state (leases, keys of earlier builds) and the log's batches. */
interface Buckets {
  readonly state: KvBucket;
  readonly log: KvBucket;
}

/** One replica of the notification service, as far as delivery goes: its lease keeper and log. */
interface Replica {
  readonly leases: DeliveryLeases;
  readonly log: KvNotificationLog;
  /** When it last took the lease (its `acquired` ran), 0 before. */
  acquiredAt: number;
}

/** A replica as the service builds one: taking the lease reads the tenant's log again. */
function replica(kv: Buckets, times: DeliveryLeaseTimes, owner: string): Replica {
  const log = new KvNotificationLog(
    new NotificationLogWriter(kv.log, kv.state, RETENTION_MS),
    TENANT,
  );
  const r: Replica = {
    log,
    acquiredAt: 0,
    leases: new DeliveryLeases(kv.state, owner, times, {
      acquired: async () => {
        await log.load();
        r.acquiredAt = Date.now();
      },
      releasing: () => Promise.resolve(),
    }),
  };
  return r;
}

/** What a flush decides: send when this replica holds the lease and the log says it is due. */
async function wouldSend(r: Replica, name: string, due: NotificationLogEntry): Promise<boolean> {
  if (!r.leases.holds(TENANT)) return false;
  const entry = await r.log.get(group(name), RECEIVER);
  return needsUpdate(
    entry,
    new Set(due.firing),
    new Set(due.resolved),
    true,
    3_600_000,
    due.timestamp,
  );
}

const firing = (fp: string, timestamp: number): NotificationLogEntry => ({
  firing: [fp],
  resolved: [],
  timestamp,
});

/**
 * One replica at a time sends a tenant's notifications (the holder of its delivery lease) and
 * writes its log; replicas do not watch each other's log writes, so the one that takes the lease
 * over must read the log again, and must not take it before the previous holder's lapsed.
 */
describe('the notification log in KV and the delivery lease, shared by replicas', () => {
  let bus: NatsBus;
  const running: DeliveryLeases[] = [];

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'nl' });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((l) => l.stop()));
    await bus.drain();
  });
  const buckets = async (): Promise<Buckets> => ({
    state: await bus.openKv(uniqueName('nfstate')),
    log: await bus.openKv(uniqueName('nflog')),
  });

  it('sends each notification once across replicas and restarts', async () => {
    const kv = await buckets();
    const a = replica(kv, LONG, 'a');
    const b = replica(kv, LONG, 'b');
    running.push(a.leases, b.leases);
    await Promise.all([a.leases.want(TENANT), b.leases.want(TENANT)]);
    const now = Date.now();

    // Both flush the new group: the lease's holder sends, the other sends nothing.
    const sends = await Promise.all([
      wouldSend(a, 'CpuHigh', firing('f1', now)),
      wouldSend(b, 'CpuHigh', firing('f1', now)),
    ]);
    expect(sends.filter(Boolean)).toHaveLength(1);
    const [sender, other] = sends[0] ? [a, b] : [b, a];
    await sender.log.put(group('CpuHigh'), RECEIVER, firing('f1', now));
    expect(await wouldSend(sender, 'CpuHigh', firing('f1', now + 1_000))).toBe(false);
    expect(await wouldSend(other, 'CpuHigh', firing('f1', now + 1_000))).toBe(false);

    // The sender stops (its lease given back) and comes back as a new process: it sees what it
    // sent once it holds the lease again, and sends what changed.
    await sender.leases.stop();
    const restarted = replica(kv, LONG, 'restarted');
    running.push(restarted.leases);
    await restarted.leases.want(TENANT);
    expect(restarted.leases.holds(TENANT)).toBe(true);
    expect(await wouldSend(restarted, 'CpuHigh', firing('f1', now + 2_000))).toBe(false);
    const resolved = { firing: [], resolved: ['f1'], timestamp: now + 3_000 };
    expect(await wouldSend(restarted, 'CpuHigh', resolved)).toBe(true);
    expect(await wouldSend(other, 'CpuHigh', resolved)).toBe(false);
  });

  it("takes over once a dead holder's lease lapsed, not before, and reads the log it left", async () => {
    const kv = await buckets();
    // Never started: it takes the lease once and never renews it, as a process killed after.
    const dead = replica(kv, SHORT, 'dead');
    await dead.leases.want(TENANT);
    expect(dead.leases.holds(TENANT)).toBe(true);
    const now = Date.now();
    await dead.log.put(group('CpuHigh'), RECEIVER, firing('f1', now));
    await dead.log.put(group('DiskFull'), RECEIVER, firing('d1', now));

    // The survivor read the log earlier (it held the lease before); the dead one then sent the
    // resolution. Kept, that copy would take f1 firing again for a notification already sent.
    const live = replica(kv, EAGER, 'live');
    running.push(live.leases);
    await live.log.load();
    expect(await live.log.get(group('CpuHigh'), RECEIVER)).toEqual(firing('f1', now));
    await dead.log.put(group('CpuHigh'), RECEIVER, {
      firing: [],
      resolved: ['f1'],
      timestamp: now,
    });
    const deadUntil = (await kv.state.get(notificationLeaseKey(TENANT)))!.json<NotificationLease>()
      .until;

    await live.leases.want(TENANT);
    await live.leases.start();
    for (const deadline = Date.now() + 60_000; !live.leases.holds(TENANT);) {
      if (Date.now() > deadline) throw new Error('the lease was never taken over');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(live.acquiredAt).toBeGreaterThan(deadUntil);
    expect(dead.leases.holds(TENANT)).toBe(false);

    // What the dead one logged is not sent again; what is due since is.
    expect(await wouldSend(live, 'DiskFull', firing('d1', now + 1_000))).toBe(false);
    expect(await wouldSend(live, 'CpuHigh', firing('f1', now + 1_000))).toBe(true);
    expect(await wouldSend(live, 'NewAlert', firing('n1', now + 1_000))).toBe(true);
  });

  it('folds many batches into the newest entry of each group, and reads what earlier builds wrote', async () => {
    const kv = await buckets();
    const now = Date.now();
    // An earlier build's key: the entry, a claim beside it.
    const legacyId = createHash('sha256')
      .update(group('Legacy'))
      .update('\u0000')
      .update(RECEIVER)
      .digest('hex')
      .slice(0, 40);
    await kv.state.put(`nflog.${TENANT}.${legacyId}`, {
      ...firing('l1', now),
      claim: { owner: 'gone', content: '[["l1"],[]]', until: now + 10_000 },
    });
    const writer = replica(kv, LONG, 'writer');
    running.push(writer.leases);
    await writer.leases.want(TENANT);
    // One batch per notification answered on its own: more than a load writes again as one.
    for (let i = 0; i < 70; i++)
      await writer.log.put(group('Flapping'), RECEIVER, firing(`f${i}`, now + i));
    await writer.log.put(group('Steady'), RECEIVER, firing('s1', now));

    for (const reader of [replica(kv, LONG, 'first'), replica(kv, LONG, 'second')]) {
      await reader.log.load();
      expect(await reader.log.get(group('Flapping'), RECEIVER)).toEqual(firing('f69', now + 69));
      expect(await reader.log.get(group('Steady'), RECEIVER)).toEqual(firing('s1', now));
      expect(await reader.log.get(group('Legacy'), RECEIVER)).toEqual(firing('l1', now));
      expect(await reader.log.get(group('Never'), RECEIVER)).toBeUndefined();
    }
    expect(await kv.log.keys()).toHaveLength(1);
  });
});
