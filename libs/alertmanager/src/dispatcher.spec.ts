import { acceptAlert } from './alert';
import { parseAlertmanagerConfig } from './config';
import { Dispatcher } from './dispatcher';

const HOUR = 3_600_000;
const CONFIG = parseAlertmanagerConfig(`route:
  receiver: hook
  group_by: [group]
  group_wait: 1s
  group_interval: 5m
receivers:
  - name: hook
`);

describe('Dispatcher', () => {
  beforeEach(() => jest.useFakeTimers({ now: 100_000 }));
  afterEach(() => jest.useRealTimers());

  it('counts group_wait from when the alert was accepted, not from when it was routed', async () => {
    const flushed: Array<{ at: number; alerts: string[] }> = [];
    const dispatcher = new Dispatcher(CONFIG, (_g, alerts) => {
      flushed.push({ at: Date.now(), alerts: alerts.map((a) => a.labels.instance) });
      return Promise.resolve(true);
    });
    // Accepted at 100,000, routed 300 ms later (the lag of a replica folding the stream).
    const accepted = acceptAlert({ labels: { group: 'g', instance: 'a' } }, 100_000, 300_000);
    jest.advanceTimersByTime(300);
    dispatcher.insert(accepted);
    await jest.advanceTimersByTimeAsync(699);
    expect(flushed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(flushed).toEqual([{ at: 101_000, alerts: ['a'] }]);
    await dispatcher.stop();
  });

  it('waits the whole group_wait for an alert routed as it is accepted', async () => {
    const flushed: number[] = [];
    const dispatcher = new Dispatcher(CONFIG, () => {
      flushed.push(Date.now());
      return Promise.resolve(true);
    });
    dispatcher.insert(acceptAlert({ labels: { group: 'g', instance: 'a' } }, 100_000, 300_000));
    await jest.advanceTimersByTimeAsync(999);
    expect(flushed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(flushed).toEqual([101_000]);
    await dispatcher.stop();
  });

  it('flushes groups due together from one timer, and each at its own time', async () => {
    const flushed: string[] = [];
    const dispatcher = new Dispatcher(CONFIG, (g) => {
      flushed.push(`${g.labels.group}@${Date.now()}`);
      return Promise.resolve(true);
    });
    const timers = jest.getTimerCount();
    for (const group of ['a', 'b', 'c'])
      dispatcher.insert(acceptAlert({ labels: { group } }, 100_000, HOUR));
    expect(jest.getTimerCount() - timers).toBe(1);
    jest.advanceTimersByTime(400);
    dispatcher.insert(acceptAlert({ labels: { group: 'd' } }, 100_400, HOUR));
    await jest.advanceTimersByTimeAsync(600);
    expect(flushed).toEqual(['a@101000', 'b@101000', 'c@101000']);
    await jest.advanceTimersByTimeAsync(400);
    expect(flushed.slice(3)).toEqual(['d@101400']);
    // The three flushed together come back together, group_interval later.
    await jest.advanceTimersByTimeAsync(300_000);
    expect(flushed.slice(4)).toEqual(['a@401000', 'b@401000', 'c@401000', 'd@401400']);
    await dispatcher.stop();
  });

  it('flushes again at once the groups that flushed before, and only those', async () => {
    const flushed: string[] = [];
    const dispatcher = new Dispatcher(CONFIG, (g) => {
      flushed.push(`${g.labels.group}@${Date.now()}`);
      return Promise.resolve(true);
    });
    dispatcher.insert(acceptAlert({ labels: { group: 'a' } }, 100_000, HOUR));
    await jest.advanceTimersByTimeAsync(1_000);
    dispatcher.insert(acceptAlert({ labels: { group: 'b' } }, 101_000, HOUR));
    await jest.advanceTimersByTimeAsync(500);
    // A replica taking over the tenant's delivery: b is still in its group_wait.
    dispatcher.flushAgain();
    await jest.advanceTimersByTimeAsync(0);
    expect(flushed).toEqual(['a@101000', 'a@101500']);
    await jest.advanceTimersByTimeAsync(500);
    expect(flushed.slice(2)).toEqual(['b@102000']);
    // Its next flush one group_interval after the one it was asked for.
    await jest.advanceTimersByTimeAsync(300_000);
    expect(flushed.slice(3)).toEqual(['a@401500', 'b@402000']);
    await dispatcher.stop();
  });

  it('keeps a resolved alert its flushes did not notify, for a day', async () => {
    const flushed: string[][] = [];
    const dispatcher = new Dispatcher(CONFIG, (_g, alerts) => {
      flushed.push(alerts.map((a) => a.labels.instance));
      // Not sent here (another replica sends, or the receiver fails).
      return Promise.resolve(false);
    });
    const ended = new Date(100_000).toISOString();
    dispatcher.insert(
      acceptAlert({ labels: { group: 'g', instance: 'r' }, endsAt: ended }, 100_000, HOUR),
    );
    await jest.advanceTimersByTimeAsync(1_000 + 300_000);
    expect(flushed).toEqual([['r'], ['r']]);
    await jest.advanceTimersByTimeAsync(24 * HOUR);
    expect(dispatcher.list()).toEqual([]);
    await dispatcher.stop();
  });

  it('flushes every group of a large post, the first ones at once', async () => {
    const flushed: number[] = [];
    const dispatcher = new Dispatcher(CONFIG, () => {
      flushed.push(Date.now());
      return Promise.resolve(true);
    });
    for (let i = 0; i < 1_000; i++)
      dispatcher.insert(acceptAlert({ labels: { group: `g${i}` } }, 100_000, HOUR));
    await jest.advanceTimersByTimeAsync(999);
    expect(flushed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(flushed.length).toBeGreaterThan(0);
    // The rest a chunk per turn of the event loop (a fake millisecond each here).
    await jest.advanceTimersByTimeAsync(20);
    expect(flushed).toHaveLength(1_000);
    expect(Math.max(...flushed)).toBeLessThanOrEqual(101_020);
    await dispatcher.stop();
  });

  it('starts one chunk of due groups per turn of the event loop, however many timers fired in it', async () => {
    // Three posts, 100 groups each: three timers. The first notifications go out before the
    // other groups are prepared.
    expect(await startsAfterHeldLoop(3, 100)).toEqual({ inFirstTurn: 64, groups: 300 });
  });

  it('shares one chunk a turn between the timers of many small posts firing together', async () => {
    // Thirty posts, ten groups each: thirty timers of fewer than a chunk.
    expect(await startsAfterHeldLoop(30, 10)).toEqual({ inFirstTurn: 64, groups: 300 });
  });

  it('keeps a re-sent alert in its group, drops it once notified resolved, and takes it back when it fires again', async () => {
    const flushed: string[][] = [];
    const dispatcher = new Dispatcher(CONFIG, (_g, alerts) => {
      flushed.push(alerts.map((a) => `${a.labels.instance}@${a.updatedAt}`));
      return Promise.resolve(true);
    });
    const labels = { group: 'g', instance: 'a' };
    dispatcher.insert(acceptAlert({ labels }, 100_000, HOUR));
    dispatcher.insert(acceptAlert({ labels: { group: 'g', instance: 'b' } }, 100_000, HOUR));
    jest.advanceTimersByTime(500);
    dispatcher.insert(acceptAlert({ labels }, 100_500, HOUR));
    await jest.advanceTimersByTimeAsync(500);
    expect(flushed).toEqual([['a@100500', 'b@100000']]);
    const resolved = new Date(101_000).toISOString();
    dispatcher.insert(acceptAlert({ labels, endsAt: resolved }, 101_000, HOUR));
    await jest.advanceTimersByTimeAsync(300_000);
    expect(flushed[1]).toEqual(['a@101000', 'b@100000']);
    expect(dispatcher.list().map((g) => [...g.alerts.keys()].length)).toEqual([1]);
    dispatcher.insert(acceptAlert({ labels }, 401_000, HOUR));
    expect(
      dispatcher.list().map((g) => [...g.alerts.values()].map((a) => a.labels.instance)),
    ).toEqual([['b', 'a']]);
    await dispatcher.stop();
  });
});

/**
 * With real timers (what matters is what a busy process's event loop does when it comes back):
 * `posts` posts received a millisecond apart, `groupsPerPost` new groups each, their timers due
 * 20 ms from now or a little later; the loop is then held past them all, so they fire in one
 * turn. The flushes started in that turn, and the groups flushed once all have started.
 */
async function startsAfterHeldLoop(
  posts: number,
  groupsPerPost: number,
): Promise<{ inFirstTurn: number; groups: number }> {
  jest.useRealTimers();
  const started: string[] = [];
  const dispatcher = new Dispatcher(CONFIG, (g) => {
    started.push(g.labels.group);
    return Promise.resolve(true);
  });
  try {
    // From the check phase, an immediate set below runs after the next turn's timers phase,
    // whatever phase jest started the test from.
    await new Promise((r) => setImmediate(r));
    const now = Date.now();
    for (let i = 0; i < posts * groupsPerPost; i++)
      dispatcher.insert(acceptAlert({ labels: { group: `g${i}` } }, now - 980 + (i % posts), HOUR));
    for (const until = Date.now() + 60 + posts; Date.now() < until;);
    const inFirstTurn = await new Promise<number>((r) => setImmediate(() => r(started.length)));
    for (
      const until = Date.now() + 10_000;
      started.length < posts * groupsPerPost && Date.now() < until;
    )
      await new Promise((r) => setTimeout(r, 5));
    return { inFirstTurn, groups: new Set(started).size };
  } finally {
    // Its group_interval timers would keep jest running for minutes.
    await dispatcher.stop();
  }
}
