// Search latency of the events archive: p50/p99 of the service's own search (EventArchive.search,
// what GET /api/v1/audit/search and GraphQL's auditSearch run) over N archived audit events of one
// tenant spread over 7 days, beside another tenant's as many. Run:
//   node -r @swc-node/register tools/bench/events/search.ts [rows=1000000] [repeats=30]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type EventSearchRequest } from '@strata/contracts';
import { createDatabaseIfMissing, startLocalStack } from '@strata/devstack';
import { EventArchive, auditEventRow } from '@strata/events';
import { auditCorpus } from '@strata/testing';

const [ROWS, REPEATS] = [1_000_000, 30].map((d, i) => Number(process.argv[2 + i] ?? d));
const DIR = join(__dirname, '../../../.strata/bench-events-search');
const DAY_MS = 86_400_000;
const CHUNK = 10_000;

async function fill(archive: EventArchive, tenantId: string, now: number): Promise<number> {
  const chunks = Math.ceil(ROWS / CHUNK);
  let next = 0;
  let written = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < chunks) {
        const c = next++;
        // A chunk spans CHUNK seconds; the last one ends now.
        const t0 = now - 7 * DAY_MS + Math.floor((c * (7 * DAY_MS - CHUNK * 1000)) / chunks);
        const events = auditCorpus(Math.min(CHUNK, ROWS - c * CHUNK), t0).map((e) => ({
          ...e,
          auditID: `${c.toString(16).padStart(6, '0')}-${e.auditID}`,
        }));
        const rows = events.map((e) => auditEventRow('prod', e, now));
        for (let i = 0; i < rows.length; i += 1_000) {
          const n = await archive.insert('audit', tenantId, rows.slice(i, i + 1_000));
          written += n;
        }
      }
    }),
  );
  console.log(
    `${tenantId}: ${written} audit rows in ${((performance.now() - start) / 1000).toFixed(0)} s`,
  );
  return written;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  const stack = await startLocalStack({ dataDir: DIR, ephemeral: false, database: 'strata_bench' });
  try {
    const adminUrl = stack.postgresAdminUrl as string;
    await createDatabaseIfMissing(adminUrl, 'bench_search');
    const databaseUrl = adminUrl.replace(/\/[^/]+$/, '/bench_search');
    const archive = await EventArchive.open({ databaseUrl, retentionDays: 30, poolSize: 5 });
    const now = Date.now();
    await fill(archive, 'bench', now);
    await fill(archive, 'other', now);
    await archive.dataSource.query('ANALYZE audit_events');
    const base = { tenantId: 'bench', kind: 'audit' as const, end: now };
    const queries: Array<[string, EventSearchRequest]> = [
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
      ['7 days, oldest first, page 2 by cursor', { ...base, start: now - 7 * DAY_MS, sort: 'asc' }],
    ];
    console.log(
      `search over ${ROWS} rows of tenant bench (and as many of another), ${REPEATS} runs each:`,
    );
    for (const [name, request] of queries) {
      if (name.includes('cursor')) {
        const first = await archive.search(request);
        request.cursor = first.nextCursor ?? undefined;
      }
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < REPEATS; i++) {
        const t = performance.now();
        total = (await archive.search(request)).total;
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
