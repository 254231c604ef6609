import { connectBus, type KvBucket, type NatsBus } from '@strata/bus';
import { type NotificationLogEntry } from '@strata/alertmanager';
import { notificationMemberKeys } from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import {
  type DeliveryLeaseCallbacks,
  DeliveryLeases,
  type DeliveryLeaseTimes,
} from './delivery-leases';
import { KvNotificationLog, NotificationLogWriter } from './kv-notification-log';

/** Rounds every 200 ms: replicas join, leave and even out within the spec. */
const FAST: DeliveryLeaseTimes = { ttlMs: 600, renewEveryMs: 200 };
/** Rounds as often, but a send in flight is waited for up to 10 s before its lease is given back. */
const PATIENT: DeliveryLeaseTimes = { ttlMs: 10_000, renewEveryMs: 200 };
const TENANTS = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
const GROUP = '{}:{alertname="CpuHigh"}';
const RECEIVER = 'hook/webhook/0';
const RETENTION_MS = 120 * 3_600_000;
const nothing = (): Promise<void> => Promise.resolve();

/** Polls until `ok` (a state, not a time, is asserted: the deadline is only there to end a hang). */
async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ok();) {
    if (Date.now() > deadline) throw new Error(`never came to pass: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each tenant's holders among `replicas` right now. */
const holders = (replicas: readonly DeliveryLeases[], tenantId: string): DeliveryLeases[] =>
  replicas.filter((r) => r.holds(tenantId));

/** Every tenant held by exactly one of `replicas`, and their holdings within one of each other. */
function sharedOut(replicas: readonly DeliveryLeases[]): boolean {
  if (!TENANTS.every((t) => holders(replicas, t).length === 1)) return false;
  const counts = replicas.map((r) => TENANTS.filter((t) => r.holds(t)).length);
  return Math.max(...counts) - Math.min(...counts) <= 1;
}

/** Asks every few ms which replicas hold each tenant, and keeps every moment two did. */
function watchForTwoHolders(replicas: () => readonly DeliveryLeases[]): {
  readonly overlaps: string[];
  stop(): void;
} {
  const overlaps: string[] = [];
  const timer = setInterval(() => {
    for (const t of TENANTS) {
      const now = holders(replicas(), t);
      if (now.length > 1) overlaps.push(`${t}: ${now.map((r) => r.owner).join(', ')}`);
    }
  }, 5);
  return { overlaps, stop: () => clearInterval(timer) };
}

/**
 * Replicas share the tenants' delivery leases out as they come and go, as the ingester does its
 * partitions: a replica that joins gets its share from the others, one that stops hands its
 * tenants over, and at no moment do two replicas send one tenant's notifications.
 */
describe('delivery leases shared out over replicas', () => {
  let bus: NatsBus;
  let state: KvBucket;
  const running: DeliveryLeases[] = [];

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'dl' });
    state = await bus.openKv(uniqueName('nfstate'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((l) => l.stop()));
    await bus.drain();
  });

  const replica = (
    owner: string,
    times = FAST,
    callbacks: DeliveryLeaseCallbacks = { acquired: nothing, releasing: nothing },
  ): DeliveryLeases => {
    const leases = new DeliveryLeases(state, owner, times, callbacks);
    running.push(leases);
    return leases;
  };
  const join = async (leases: DeliveryLeases, tenants: readonly string[]): Promise<void> => {
    await leases.start();
    for (const t of tenants) void leases.want(t);
  };

  it('evens the leases out as replicas join and leave, one holder per tenant at any moment', async () => {
    const live: DeliveryLeases[] = [];
    const sampler = watchForTwoHolders(() => live);
    try {
      const a = replica('a');
      live.push(a);
      await join(a, TENANTS);
      await until('the only replica holds every lease', () => sharedOut([a]));

      const b = replica('b');
      live.push(b);
      await join(b, TENANTS);
      await until('a and b hold 5 each', () => sharedOut([a, b]));

      const c = replica('c');
      live.push(c);
      await join(c, TENANTS);
      await until('a, b and c hold 4, 3 and 3 in some order', () => sharedOut([a, b, c]));

      await b.stop();
      running.splice(running.indexOf(b), 1);
      expect(TENANTS.filter((t) => b.holds(t))).toEqual([]);
      await until("b's leases go to a and c, 5 each", () => sharedOut([a, c]));
      expect((await state.keys(notificationMemberKeys)).sort()).toEqual(['member.a', 'member.c']);
    } finally {
      sampler.stop();
    }
    expect(sampler.overlaps).toEqual([]);
  });

  it('gives a lease back once the send in flight is logged, and the taker reads it', async () => {
    const tenants = ['one', 'two'];
    const logBucket = await bus.openKv(uniqueName('nflog'));
    const logsOf = (): Map<string, KvNotificationLog> => {
      const writer = new NotificationLogWriter(logBucket, state, RETENTION_MS);
      return new Map(tenants.map((t) => [t, new KvNotificationLog(writer, t)]));
    };
    const [aLogs, bLogs] = [logsOf(), logsOf()];
    const events: string[] = [];
    let answer = (): void => undefined;
    const webhookAnswered = new Promise<void>((resolve) => (answer = resolve));
    const sending = new Map<string, Promise<void>>();
    const givenBack: { tenantId: string; sendingThen: boolean }[] = [];
    const a: DeliveryLeases = replica('a', PATIENT, {
      acquired: (tenantId) => aLogs.get(tenantId)!.load(),
      releasing: async (tenantId) => {
        givenBack.push({ tenantId, sendingThen: a.holds(tenantId) });
        await sending.get(tenantId);
      },
    });
    await join(a, tenants);
    await until('a, alone, holds both leases', () => tenants.every((t) => a.holds(t)));
    // A flush of each tenant found the lease held here and is sending: it logs once answered.
    const entry: NotificationLogEntry = { firing: ['f1'], resolved: [], timestamp: Date.now() };
    for (const t of tenants)
      sending.set(
        t,
        webhookAnswered.then(async () => {
          await aLogs.get(t)!.put(GROUP, RECEIVER, entry);
          events.push(`a logged ${t}`);
        }),
      );

    const b = replica('b', PATIENT, {
      acquired: async (tenantId) => {
        await bLogs.get(tenantId)!.load();
        events.push(`b took ${tenantId}`);
      },
      releasing: nothing,
    });
    await join(b, tenants);
    await until('a gives one lease back', () => givenBack.length > 0);
    const [{ tenantId: given, sendingThen }] = givenBack;
    const kept = tenants.find((t) => t !== given)!;
    // Nothing more is sent from a from the moment it gives the lease back.
    expect(sendingThen).toBe(false);
    expect(a.holds(given)).toBe(false);
    // b asks every 200 ms meanwhile; the lease stays a's while its send is in flight.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(b.holds(given)).toBe(false);

    answer();
    await until('b takes the lease given back', () => b.holds(given));
    expect(events.indexOf(`a logged ${given}`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`a logged ${given}`)).toBeLessThan(events.indexOf(`b took ${given}`));
    // b read what a sent: that notification is not due again there.
    expect(await bLogs.get(given)!.get(GROUP, RECEIVER)).toEqual(entry);
    await until('a keeps sending the other tenant', () => a.holds(kept) && !b.holds(kept));
    expect(givenBack.map((g) => g.tenantId)).toEqual([given]);
  });
});
