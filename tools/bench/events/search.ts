// Search latency of the events archive: p50/p99 of the service's own search (EventArchive.search,
// what GET /api/v1/audit/search and GraphQL's auditSearch run) over N archived audit events of one
// tenant spread over 7 days, beside another tenant's as many. Run:
//   node -r @swc-node/register tools/bench/events/search.ts [rows=1000000] [repeats=30] [other=rows]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type EventSearchRequest } from '@strata/contracts';
import { createDatabaseIfMissing, startLocalStack } from '@strata/devstack';
import { EventArchive, type SearchQueryOptions, auditEventRow, countInsert } from '@strata/events';
import { auditCorpus } from '@strata/testing';

const [ROWS, REPEATS] = [1_000_000, 30].map((d, i) => Number(process.argv[2 + i] ?? d));
/** The other tenant's rows, beside the measured one's. */
const OTHER = Number(process.argv[4] ?? ROWS);
const DIR = join(__dirname, '../../../.strata/bench-events-search');
const DAY_MS = 86_400_000;
const CHUNK = 10_000;

/**
 * Fills a tenant's archive: a seed of CHUNK corpus events goes through EventArchive.insert (the
 * service's own rows), then Postgres copies it in place, shifted in time and id, until the tenant
 * has `rows` spread over 7 days. Loading 10M rows through the service would take most of an hour
 * on this machine; the copies are the same rows the service writes, so search sees the same data.
 */
async function fill(
  archive: EventArchive,
  tenantId: string,
  rows: number,
  now: number,
): Promise<number> {
  const start = performance.now();
  const db = archive.dataSource;
  const seedTenant = `${tenantId}~seed`;
  const t0 = now - 7 * DAY_MS;
  const seed = auditCorpus(Math.min(CHUNK, rows), t0).map((e) => auditEventRow('prod', e, now));
  for (let i = 0; i < seed.length; i += 1_000)
    await archive.insert('audit', seedTenant, seed.slice(i, i + 1_000));
  await db.query(`DROP TABLE IF EXISTS audit_seed`);
  await db.query(
    `CREATE UNLOGGED TABLE audit_seed AS SELECT * FROM audit_events WHERE tenant_id = $1`,
    [seedTenant],
  );
  await db.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [seedTenant]);
  await db.query(`DELETE FROM event_counts WHERE tenant_id = $1`, [seedTenant]);
  for (let d = 0; d <= 8; d++) {
    const day = new Date(t0 + (d - 1) * DAY_MS).toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10);
    await db.query(
      `CREATE TABLE IF NOT EXISTS audit_events_p${day.replace(/-/g, '')} PARTITION OF audit_events FOR VALUES FROM ('${day}') TO ('${next}')`,
    );
  }
  // Copy k starts at t0 + k * step, so the copies tile 7 days (each spans the seed's CHUNK seconds).
  const copies = Math.ceil(rows / seed.length);
  const step = Math.floor((7 * DAY_MS - CHUNK * 1000) / copies);
  const base = Math.min(...seed.map((r) => r.time.getTime()));
  const PER_STATEMENT = 20;
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < copies) {
        const from = next;
        next += PER_STATEMENT;
        const to = Math.min(copies, from + PER_STATEMENT) - 1;
        // The per-minute counts grow in the same statement, as EventArchive.insert keeps them.
        await db.query(
          `WITH copied AS (
             INSERT INTO audit_events
             SELECT $1, s.time + make_interval(secs => ($2::bigint + k * $3::bigint - $4::bigint) / 1000.0),
               k || '-' || s.id, s.cluster, s.namespace, s.resource, s.name, s.verb, s.username,
               s.response_code, s.stage, s.message, s.event
             FROM audit_seed s CROSS JOIN generate_series($5::int, $6::int) k
             RETURNING tenant_id, time, cluster
           ), counted AS (${countInsert('audit', 'copied')})
           SELECT 1`,
          [tenantId, t0, step, base, from, to],
        );
      }
    }),
  );
  const [{ n }] = (await db.query(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1`, [
    tenantId,
  ])) as Array<{ n: string }>;
  console.log(
    `${tenantId}: ${n} audit rows in ${((performance.now() - start) / 1000).toFixed(0)} s`,
  );
  return Number(n);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  // STRATA_BENCH_REUSE=1 searches the archive the last run loaded (filling 10M rows takes minutes).
  const reuse = process.env.STRATA_BENCH_REUSE === '1';
  if (!reuse) rmSync(DIR, { recursive: true, force: true });
  const stack = await startLocalStack({ dataDir: DIR, ephemeral: false, database: 'strata_bench' });
  try {
    const adminUrl = stack.postgresAdminUrl as string;
    await createDatabaseIfMissing(adminUrl, 'bench_search');
    const databaseUrl = adminUrl.replace(/\/[^/]+$/, '/bench_search');
    const archive = await EventArchive.open({ databaseUrl, retentionDays: 30, poolSize: 5 });
    // Reused, the searches are placed where the loaded rows end, as when they were loaded.
    const [{ last }] = reuse
      ? ((await archive.dataSource.query(
          `SELECT max(time) AS last FROM audit_events WHERE tenant_id = 'bench'`,
        )) as Array<{ last: Date }>)
      : [{ last: new Date() }];
    const now = last.getTime() + 1;
    if (!reuse) {
      await fill(archive, 'bench', ROWS, now);
      await fill(archive, 'other', OTHER, now);
      // What autovacuum does to an insert-only table soon after: hint bits, visibility map, stats.
      const vacuum = performance.now();
      await archive.dataSource.query('VACUUM ANALYZE audit_events');
      console.log(`vacuum analyze: ${((performance.now() - vacuum) / 1000).toFixed(0)} s`);
    }
    const base = { tenantId: 'bench', kind: 'audit' as const, end: now };
    const queries: Array<[string, EventSearchRequest, SearchQueryOptions?]> = [
      ['last hour, newest 100', { ...base, start: now - 3_600_000 }],
      ['7 days, user=alice, 100', { ...base, start: now - 7 * DAY_MS, user: 'alice' }],
      [
        '1 day, verb=create resource=pods',
        { ...base, start: now - DAY_MS, verb: 'create', resource: 'pods' },
      ],
      [
        '1 day, text "has been modified"',
        { ...base, start: now - DAY_MS, text: 'has been modified' },
      ],
      [
        '7 days, histogram per hour, no page',
        { ...base, start: now - 7 * DAY_MS, limit: 0, intervalSeconds: 3600 },
      ],
      [
        '7 days, histogram per hour, cluster=prod',
        {
          ...base,
          start: now - 7 * DAY_MS + 12_345,
          limit: 0,
          intervalSeconds: 3600,
          cluster: 'prod',
        },
      ],
      // The same histogram counted from the rows (what a filter the counts do not keep reads).
      [
        '7 days, histogram per hour, from the rows',
        { ...base, start: now - 7 * DAY_MS, limit: 0, intervalSeconds: 3600 },
        { counts: false },
      ],
      [
        '7 days, histogram per hour, verb=create',
        { ...base, start: now - 7 * DAY_MS, limit: 0, intervalSeconds: 3600, verb: 'create' },
      ],
      ['7 days, oldest first, page 2 by cursor', { ...base, start: now - 7 * DAY_MS, sort: 'asc' }],
    ];
    console.log(
      `search over ${ROWS} rows of tenant bench (beside ${OTHER} of another), ${REPEATS} runs each:`,
    );
    for (const [name, request, options] of queries) {
      if (name.includes('cursor')) {
        const first = await archive.search(request);
        request.cursor = first.nextCursor ?? undefined;
      }
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < REPEATS; i++) {
        const t = performance.now();
        total = (await archive.search(request, options)).total;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  ${name}: p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms (total ${total})`,
      );
    }
    await archive.close();
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
