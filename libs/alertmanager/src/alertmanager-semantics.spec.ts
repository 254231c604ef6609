import { acceptAlert, compareAlerts, mergeAlerts } from './alert';
import { fingerprint, labelSetString } from './labels';
import { needsUpdate } from './nflog';
import { SilenceError, SilenceSet } from './silences';

describe('Alertmanager semantics', () => {
  it('fingerprints label sets as Alertmanager does (values recorded from Debian’s Alertmanager 0.25)', () => {
    expect(fingerprint({ alertname: 'DiskFull', cluster: 'c1', severity: 'page' })).toBe(
      '0a316773c85fed9c',
    );
    expect(fingerprint({ alertname: 'Outage', cluster: 'c1', severity: 'critical' })).toBe(
      '82473f6cc1601a9d',
    );
    expect(labelSetString({ b: '2', a: 'x"y' })).toBe('{a="x\\"y", b="2"}');
  });

  it('treats Go’s zero time as unset and times out alerts without an end', () => {
    const a = acceptAlert(
      { labels: { a: '1' }, startsAt: '0001-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z' },
      1000,
      300_000,
    );
    expect(a).toMatchObject({ startsAt: 1000, endsAt: 301_000, timeout: true });
  });

  it('merges keeping the earliest start and a later explicit end over a timeout', () => {
    const old = {
      ...acceptAlert(
        {
          labels: { a: '1' },
          startsAt: new Date(0).toISOString(),
          endsAt: new Date(50_000).toISOString(),
        },
        10,
        0,
      ),
    };
    const young = acceptAlert(
      { labels: { a: '1' }, startsAt: new Date(5000).toISOString() },
      20,
      10_000,
    );
    expect(mergeAlerts(old, young, 30)).toMatchObject({
      startsAt: 0,
      endsAt: 50_000,
      updatedAt: 20,
    });
  });

  it('orders alerts by job, then instance, then labels', () => {
    const mk = (labels: Record<string, string>) => acceptAlert({ labels }, 0, 1);
    const sorted = [
      mk({ x: '1' }),
      mk({ job: 'b' }),
      mk({ job: 'a', instance: '2' }),
      mk({ job: 'a', instance: '1' }),
    ].sort(compareAlerts);
    expect(sorted.map((a) => a.labels)).toEqual([
      { job: 'a', instance: '1' },
      { job: 'a', instance: '2' },
      { job: 'b' },
      { x: '1' },
    ]);
  });

  it('notifies on new firing alerts, on all resolved, and after the repeat interval only', () => {
    const entry = { firing: ['a'], resolved: [], timestamp: 1000 };
    expect(needsUpdate(undefined, new Set(), new Set(['a']), true, 60_000, 2000)).toBe(false);
    expect(needsUpdate(entry, new Set(['a', 'b']), new Set(), true, 60_000, 2000)).toBe(true);
    expect(needsUpdate(entry, new Set(['a']), new Set(), true, 60_000, 2000)).toBe(false);
    expect(needsUpdate(entry, new Set(), new Set(['a']), false, 60_000, 2000)).toBe(true);
    expect(needsUpdate(entry, new Set(['a']), new Set(['b']), true, 60_000, 2000)).toBe(true);
    expect(needsUpdate(entry, new Set(['a']), new Set(['b']), false, 60_000, 2000)).toBe(false);
    expect(needsUpdate(entry, new Set(['a']), new Set(), true, 60_000, 61_001)).toBe(true);
  });

  it('validates, matches and expires silences', async () => {
    let now = 1000;
    const set = new SilenceSet(() => now);
    const base = { startsAt: 1000, endsAt: 5000, createdBy: 'me', comment: 'c' };
    await expect(
      set.set({ ...base, matchers: [{ name: 'a', value: '.*', isRegex: true }] }),
    ).rejects.toThrow(
      new SilenceError('at least one matcher must not match the empty string', 'invalid'),
    );
    const id = await set.set({
      ...base,
      matchers: [{ name: 'job', value: 'api|db', isRegex: true, isEqual: true }],
    });
    expect(set.silencedBy({ job: 'db' })).toEqual([id]);
    expect(set.silencedBy({ job: 'dbx' })).toEqual([]);
    now = 2000;
    await set.expire(id);
    expect(set.silencedBy({ job: 'db' })).toEqual([]);
    await expect(set.expire(id)).rejects.toThrow(/already expired/);
  });
});
