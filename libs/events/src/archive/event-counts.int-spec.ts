import { type EventRecordKind, type EventSearchRequest } from '@strata/contracts';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import { type ArchiveRow } from './archive-rows';
import { EventArchive } from './event-archive';

jest.setTimeout(180_000);

const DAY_MS = 86_400_000;
const CLUSTERS = ['prod', 'staging', 'edge'];
const TENANTS = ['acme', 'globex'];
const KINDS: EventRecordKind[] = ['audit', 'events'];

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('the per-minute event counts', () => {
  const seed = Number(process.env.EVENT_COUNTS_SEED ?? Date.now() % 1_000_000);
  const rand = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)];
  const now = Date.now();
  let db: FreshDatabase;
  let archive: EventArchive;
  let serial = 0;

  /** Rows at random milliseconds over the last two days, many sharing a minute. */
  function rows(n: number): ArchiveRow[] {
    return Array.from({ length: n }, () => {
      const id = `r${serial++}`;
      // Half the rows crowd into a few minutes, so minutes hold many rows and several clusters.
      const time =
        rand() < 0.5
          ? now - 2 * DAY_MS * rand()
          : now - 60_000 * Math.floor(rand() * 5) - 59_999 * rand();
      return {
        time: new Date(Math.floor(time)),
        id,
        cluster: pick(CLUSTERS),
        namespace: pick(['default', 'kube-system']),
        resource: 'pods',
        name: id,
        message: 'm',
        reason: 'Started',
        type: 'Normal',
        verb: pick(['get', 'create']),
        username: 'alice',
        responseCode: 200,
        stage: 'ResponseComplete',
        event: { id },
      };
    });
  }

  /** Histograms over random ranges and intervals, from the counts and from the rows: equal. */
  async function expectCountsMatchRows(): Promise<void> {
    for (let i = 0; i < 40; i++) {
      const start = now - Math.floor(2.2 * DAY_MS * rand());
      const end = Math.min(now + 60_000, start + 1 + Math.floor(2.2 * DAY_MS * rand()));
      const request: EventSearchRequest = {
        tenantId: pick(TENANTS),
        kind: pick(KINDS),
        start,
        end,
        limit: 0,
        intervalSeconds: pick([60, 300, 3600, 7200]),
        ...(rand() < 0.4 ? { cluster: pick(CLUSTERS) } : {}),
      };
      const [counted, scanned] = await Promise.all([
        archive.search(request),
        archive.search(request, { counts: false }),
      ]);
      expect({ seed, request, histogram: counted.histogram }).toEqual({
        seed,
        request,
        histogram: scanned.histogram,
      });
    }
    // Minute by minute, the counts are the rows': nothing counted twice or left behind.
    for (const kind of KINDS) {
      const table = kind === 'events' ? 'kube_events' : 'audit_events';
      const fromRows = (await archive.dataSource.query(
        `SELECT tenant_id, date_bin('1 minute', time, 'epoch') AS minute, cluster, count(*)::int AS n
         FROM ${table} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      )) as unknown[];
      const kept = (await archive.dataSource.query(
        `SELECT tenant_id, minute, cluster, n::int AS n FROM event_counts WHERE kind = $1
         ORDER BY 1, 2, 3`,
        [kind],
      )) as unknown[];
      expect(fromRows.length).toBeGreaterThan(0);
      expect({ seed, kind, kept }).toEqual({ seed, kind, kept: fromRows });
    }
  }

  beforeAll(async () => {
    db = await freshDatabase('eventcounts');
    archive = await EventArchive.open({ databaseUrl: db.url, retentionDays: 3 });
  });

  afterAll(async () => {
    await archive?.close();
    await db?.drop();
  });

  it('answers histograms as counting the rows does, with redelivered batches', async () => {
    const sent: Array<{ kind: EventRecordKind; tenant: string; rows: ArchiveRow[] }> = [];
    for (let i = 0; i < 24; i++) {
      const batch = {
        kind: pick(KINDS),
        tenant: pick(TENANTS),
        rows: rows(50 + Math.floor(rand() * 400)),
      };
      sent.push(batch);
    }
    // Batches at once, as the consumer's parallel deliveries write them, then every other batch
    // redelivered (some with new rows added) alongside new ones.
    await Promise.all(sent.map((b) => archive.insert(b.kind, b.tenant, b.rows)));
    const again = sent.filter((_, i) => i % 2 === 0);
    const inserted = await Promise.all(
      again.map((b, i) =>
        archive.insert(b.kind, b.tenant, i % 3 === 0 ? [...b.rows, ...rows(20)] : b.rows),
      ),
    );
    expect(inserted.map((n, i) => (i % 3 === 0 ? n === 20 : n === 0))).toEqual(
      again.map(() => true),
    );
    // A batch and its redelivery at the same time: one of them stores each row, counted once.
    const twice = rows(300);
    const [a, b] = await Promise.all([
      archive.insert('audit', 'globex', twice),
      archive.insert('audit', 'globex', twice),
    ]);
    expect(a + b).toBe(twice.length);
    await expectCountsMatchRows();
  });

  it('stays equal after a tenant retention cut inside a minute and dropped day partitions', async () => {
    // A cutoff at an odd millisecond: the minute it falls in loses part of its rows.
    const retentionSeconds = Math.floor(DAY_MS / 1000 + rand() * 20_000);
    const deleted = await archive.applyTenantRetention(
      'audit',
      'acme',
      retentionSeconds,
      now + 777,
    );
    expect(deleted).toBeGreaterThan(0);
    await expectCountsMatchRows();
    // Two days on, the partitions older than yesterday go whole.
    expect(await archive.applyRetention(now + 2 * DAY_MS)).not.toEqual([]);
    await expectCountsMatchRows();
  });
});
