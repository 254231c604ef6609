import { connectBus, type KvBucket, type NatsBus } from '@strata/bus';
import { type NotificationLogEntry, needsUpdate } from '@strata/alertmanager';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { KvNotificationLog, NotificationLogCache } from './kv-notification-log';

const GROUP = '{}:{alertname="CpuHigh"}';
const RECEIVER = 'hook/webhook/0';

/** A replica's view of one tenant's log, as the service builds it at start. */
async function replica(kv: KvBucket): Promise<KvNotificationLog> {
  const cache = new NotificationLogCache(kv);
  await cache.start();
  return new KvNotificationLog(cache, 'acme');
}

/** What a flush does before sending: consult the log, then claim; true when it would send. */
async function wouldSend(log: KvNotificationLog, due: NotificationLogEntry): Promise<boolean> {
  const entry = await log.get(GROUP, RECEIVER);
  if (
    !needsUpdate(entry, new Set(due.firing), new Set(due.resolved), true, 3_600_000, due.timestamp)
  )
    return false;
  return log.claim(GROUP, RECEIVER, due, due.timestamp + 10_000);
}

/**
 * Replicas do not watch each other's log writes: a copy gone stale must still never send what
 * another replica sent or is sending, and a restart must see what was sent.
 */
describe('the notification log in KV, shared by replicas', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'nl' });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('sends each notification once across replicas and restarts', async () => {
    const kv = await bus.openKv(uniqueName('nflog'));
    const a = await replica(kv);
    const b = await replica(kv);
    const now = Date.now();
    const firing: NotificationLogEntry = { firing: ['f1'], resolved: [], timestamp: now };

    // Both flush the new group at once: one claim wins, the other sends nothing.
    const claims = await Promise.all([wouldSend(a, firing), wouldSend(b, firing)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const [sender, other] = claims[0] ? [a, b] : [b, a];
    await sender.put(GROUP, RECEIVER, firing);

    // The other replica's next flush, and a restarted one's, see it sent.
    expect(await wouldSend(other, { ...firing, timestamp: now + 1_000 })).toBe(false);
    expect(await wouldSend(await replica(kv), { ...firing, timestamp: now + 1_000 })).toBe(false);

    // A change is sent once more, by whichever replica claims it first; the one whose copy was
    // stale finds out by its failed claim and sends nothing.
    const resolved: NotificationLogEntry = { firing: [], resolved: ['f1'], timestamp: now + 2_000 };
    expect(await wouldSend(sender, resolved)).toBe(true);
    expect(await wouldSend(other, resolved)).toBe(false);
    await sender.put(GROUP, RECEIVER, resolved);
    expect(await wouldSend(other, { ...resolved, timestamp: now + 3_000 })).toBe(false);
  });

  it("sends once a dead sender's claim lapses, and not before", async () => {
    const kv = await bus.openKv(uniqueName('nflog'));
    const dead = await replica(kv);
    const live = await replica(kv);
    const now = Date.now();
    const due: NotificationLogEntry = { firing: ['f1'], resolved: [], timestamp: now };
    // Claimed, then the process died before its log entry was written.
    expect(await dead.claim(GROUP, RECEIVER, due, now + 10_000)).toBe(true);
    expect(await wouldSend(live, { ...due, timestamp: now + 5_000 })).toBe(false);
    expect(await wouldSend(live, { ...due, timestamp: now + 6_000 })).toBe(false);
    expect(await wouldSend(live, { ...due, timestamp: now + 10_001 })).toBe(true);
  });
});
