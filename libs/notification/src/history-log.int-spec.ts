import { connectBus, type NatsBus } from '@strata/bus';
import { type HistoryEntry } from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { HistoryLog } from './history-log';

const entry = (log: HistoryLog, tenantId: string, at: number, receiver = 'hook'): HistoryEntry => ({
  id: log.nextId(at),
  tenantId,
  receiver,
  integration: 'webhook',
  groupKey: `{}:{at="${at}"}`,
  status: 'sent',
  alerts: [],
  attempts: 1,
  durationMs: 1,
  at: new Date(at).toISOString(),
});

const all = async (log: HistoryLog, tenantId: string): Promise<HistoryEntry[]> => {
  const out: HistoryEntry[] = [];
  for await (const e of log.entries(tenantId)) out.push(e);
  return out;
};

/** Entries are written in batches while a write is under way; they must read back newest first. */
describe('delivery history in KV', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'hl' });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('lists every entry once, newest first, though batches overlap in time', async () => {
    const kv = await bus.openKv(uniqueName('history'));
    const log = new HistoryLog(kv);
    const t0 = Date.parse('2026-12-05T10:00:00Z');
    // Attempts end in another order than they started (a retried one takes longer), so the
    // batches written as they end hold entries from overlapping spans of time.
    const recorded: HistoryEntry[] = [];
    for (const offsets of [
      [5, 1, 9],
      [3, 7],
      [0, 8, 2, 6, 4],
    ]) {
      for (const s of offsets) {
        const e = entry(log, 'acme', t0 + s * 1_000);
        recorded.push(e);
        log.record(e);
      }
      await log.flushed();
    }
    log.record(entry(log, 'beta', t0));
    // An entry as earlier builds wrote it: alone under its own id.
    const legacy = entry(log, 'acme', t0 + 4_500);
    recorded.push(legacy);
    await kv.put(`history.acme.${legacy.id}`, legacy);
    await log.flushed();

    expect((await kv.keys('history.acme.>')).length).toBeLessThan(recorded.length);
    const listed = await all(log, 'acme');
    expect(listed.map((e) => e.at)).toEqual(
      recorded.map((e) => e.at).sort((a, b) => (a < b ? 1 : -1)),
    );
    expect(listed.map((e) => e.id)).toEqual(recorded.map((e) => e.id).sort());
    expect((await all(log, 'beta')).map((e) => e.tenantId)).toEqual(['beta']);
  });

  it('splits a large burst into batches under the message limit', async () => {
    const kv = await bus.openKv(uniqueName('history'));
    const log = new HistoryLog(kv);
    const t0 = Date.now();
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 40; i++)
      log.record({
        ...entry(log, 'acme', t0 - i),
        alerts: [{ fingerprint: big, status: 'firing', labels: {} }],
      });
    await log.flushed();
    expect((await kv.keys('history.acme.>')).length).toBeGreaterThan(1);
    expect((await all(log, 'acme')).map((e) => e.at)).toEqual(
      Array.from({ length: 40 }, (_, i) => new Date(t0 - i).toISOString()),
    );
  });
});
