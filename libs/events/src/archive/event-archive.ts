import {
  SEARCH_TOTAL_CAP,
  type EventRecordKind,
  type EventSearchRequest,
  type EventSearchResult,
} from '@strata/contracts';
import { type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type QueryRunner } from 'typeorm';
import { copyStatement, copyText, minuteCounts } from './archive-copy';
import { type ArchiveRow, archiveTable } from './archive-rows';
import { CreateEventArchive1732160000000 } from './migrations/1732160000000-create-event-archive';
import { CreateEventCounts1733380000000 } from './migrations/1733380000000-create-event-counts';
import { encodeCursor } from './cursor';
import { type SearchQueryOptions, searchQuery } from './search-query';
import { WriteGroups } from './write-groups';

const DAY_MS = 86_400_000;
const MIGRATION_LOCK_KEY = 0x5374_6576;
/** Postgres' `unique_violation`. */
const UNIQUE_VIOLATION = '23505';
/** Archive transactions at once; the pool's other connections serve searches and retention. */
const WRITE_LANES = 2;
/** Rows of a group of batches written in one COPY. */
const GROUP_ROWS = 4_000;

/** Where the archive lives and how long it keeps records. */
export interface EventArchiveOptions {
  databaseUrl: string;
  retentionDays: number;
  poolSize?: number;
}

/**
 * The Postgres archive of Kubernetes events and audit events: inserts are idempotent (a record's
 * id within its tenant and time), day partitions are created as records need them and dropped
 * whole when they leave the retention window.
 */
export class EventArchive {
  private readonly partitions = new Set<string>();
  /**
   * Batches that become ready while the archive is busy go in together: one transaction, one
   * COPY, one upsert of counts and one commit for several batches, where each cost as much again.
   */
  private readonly groups = new WriteGroups<PreparedRows, number>(
    { lanes: WRITE_LANES, maxSize: GROUP_ROWS },
    (p) => p.kind,
    (p) => p.rows,
    (group) => this.writeGroup(group),
  );

  private constructor(
    readonly dataSource: DataSource,
    private readonly retentionDays: number,
  ) {}

  /** Connects and applies the archive's migrations (serialised across replicas by an advisory lock). */
  static async open(options: EventArchiveOptions): Promise<EventArchive> {
    const dataSource = new DataSource({
      type: 'postgres',
      url: options.databaseUrl,
      synchronize: false,
      migrationsRun: false,
      // Its own table: the events service may share the control plane's database.
      migrationsTableName: 'events_schema_migrations',
      migrations: [CreateEventArchive1732160000000, CreateEventCounts1733380000000],
      applicationName: 'strata-events',
      // JIT compiles each big count for ~0.5 s, more than it saves on these plans.
      extra: { max: options.poolSize ?? 5, options: '-c jit=off' },
      logging: false,
    });
    await dataSource.initialize();
    try {
      const lock = dataSource.createQueryRunner();
      await lock.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await lock
          .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
          .catch(() => undefined);
        await lock.release();
      }
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return new EventArchive(dataSource, options.retentionDays);
  }

  /**
   * Stores rows of one tenant (rows already archived are skipped); returns how many were new.
   * Rows older than the platform's retention, or `retentionSeconds` when shorter, are not stored.
   */
  insert(
    kind: EventRecordKind,
    tenantId: string,
    rows: readonly ArchiveRow[],
    retentionSeconds = 0,
  ): Promise<number> {
    return this.write(this.prepare(kind, tenantId, rows, retentionSeconds));
  }

  /**
   * What {@link write} stores of `rows`, built now: the COPY text, the days and the per-minute
   * counts of the rows within the retention. It holds no reference to the rows or their records,
   * so a caller that awaits the write lets the parsed batch go before Postgres answers.
   */
  prepare(
    kind: EventRecordKind,
    tenantId: string,
    rows: readonly ArchiveRow[],
    retentionSeconds = 0,
  ): PreparedRows {
    const horizon = Date.now() - this.retentionMs(retentionSeconds);
    // Records older than the retention would land in a partition about to be dropped.
    const kept = rows.filter((r) => r.time.getTime() >= horizon);
    // Days as numbers first: a batch spans a day or two, so few dates are formatted.
    const days = new Set<number>();
    for (const r of kept) days.add(Math.floor(r.time.getTime() / DAY_MS));
    return {
      kind,
      tenantId,
      rows: kept.length,
      // Encoded now: the text may hold slices of the stored body, which would keep the whole
      // body alive while Postgres is awaited; the bytes are what the COPY writes anyway.
      text: Buffer.from(copyText(kind, tenantId, kept)),
      days: [...days].map((d) => dayOf(new Date(d * DAY_MS))),
      ...minuteCounts(kept),
    };
  }

  /**
   * Stores prepared rows (rows already archived are skipped); returns how many were new. Rows
   * prepared meanwhile by other callers may go in the same transaction: each batch is still
   * archived whole or not at all.
   */
  write(prepared: PreparedRows): Promise<number> {
    if (prepared.rows === 0) return Promise.resolve(0);
    return this.groups.submit(prepared);
  }

  private async writeGroup(group: readonly PreparedRows[]): Promise<number[]> {
    const table = archiveTable(group[0].kind);
    for (const day of new Set(group.flatMap((p) => p.days))) await this.ensurePartition(table, day);
    try {
      return await this.copy(group);
    } catch (error) {
      // A record already archived (a redelivered batch, an event resent in a later batch): COPY
      // cannot skip it, so each batch goes in again by the statement that can.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    }
    const stored: number[] = [];
    for (const p of group) stored.push(await this.insertSkippingArchived(p));
    return stored;
  }

  /**
   * The fast path: every row of the group by COPY and the per-minute counts by the rows' own
   * minutes, in one transaction, so the batches are archived whole or not at all. Fails on any
   * row already archived.
   */
  private async copy(group: readonly PreparedRows[]): Promise<number[]> {
    const counts = groupCounts(group);
    return this.inTransaction(async (runner, client) => {
      await copyInto(
        client,
        copyStatement(group[0].kind),
        group.map((p) => p.text),
      );
      // Ordered by key, as the fallback's statement is, so batches lock shared minutes in one order.
      await runner.query(
        `INSERT INTO event_counts (tenant_id, kind, minute, cluster, n)
         SELECT t, $1, m, c, n
         FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::bigint[]) AS u(t, m, c, n)
         ORDER BY t, m, c
         ON CONFLICT (tenant_id, kind, minute, cluster) DO UPDATE SET n = event_counts.n + excluded.n`,
        [group[0].kind, counts.tenants, counts.minutes, counts.clusters, counts.counts],
      );
      return group.map((p) => p.rows);
    });
  }

  /**
   * The slow path: the same COPY text into a session's staging table, then inserted skipping the
   * rows already archived; counted rows are the ones inserted, in the same statement.
   */
  private async insertSkippingArchived(p: PreparedRows): Promise<number> {
    const table = archiveTable(p.kind);
    const staging = `${table}_staging`;
    return this.inTransaction(async (runner, client) => {
      // One per connection, emptied by every commit.
      await runner.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE ${table}) ON COMMIT DELETE ROWS`,
      );
      await copyInto(client, copyStatement(p.kind, staging), [p.text]);
      // The per-minute counts grow in the same statement by the rows it actually inserted, so a
      // redelivered batch (all conflicts) counts nothing and a failed one counts nothing either.
      const result = (await runner.query(
        `WITH inserted AS (
           INSERT INTO ${table} SELECT * FROM ${staging}
           ON CONFLICT DO NOTHING RETURNING tenant_id, time, cluster
         ), counted AS (${countInsert(p.kind, 'inserted')})
         SELECT count(*) AS n FROM inserted`,
      )) as Array<{ n: string }>;
      return Number(result[0]?.n ?? 0);
    });
  }

  /** Runs `work` in a transaction on a connection of its own, committed when it resolves. */
  private async inTransaction<T>(
    work: (runner: QueryRunner, client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      try {
        const result = await work(runner, client);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * One page of a tenant's records with the total and, when asked, the histogram (from the
   * per-minute counts when the filters allow, unless `options.counts` is false).
   */
  async search(
    request: EventSearchRequest,
    options: SearchQueryOptions = {},
  ): Promise<EventSearchResult> {
    const q = searchQuery(request, options);
    // The page and the counts run at once, on separate connections of the pool.
    const [rows, counted, buckets] = await Promise.all([
      this.dataSource.query(q.page.sql, q.page.params) as Promise<
        Array<{ time: Date; id: string; cluster: string; event: Record<string, unknown> }>
      >,
      // With a histogram its buckets add up to the exact total: no second count.
      q.histogram
        ? null
        : (this.dataSource.query(q.total.sql, q.total.params) as Promise<Array<{ total: string }>>),
      q.histogram
        ? (this.dataSource.query(q.histogram.sql, q.histogram.params) as Promise<
            Array<{ bucket: Date; count: string }>
          >)
        : null,
    ]);
    const histogram = buckets?.map((b) => ({
      time: b.bucket.toISOString(),
      count: Number(b.count),
    }));
    const matches = histogram
      ? histogram.reduce((n, b) => n + b.count, 0)
      : Number(counted?.[0]?.total ?? 0);
    const totalExact =
      histogram !== undefined || request.exactTotal === true || matches <= SEARCH_TOTAL_CAP;
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return {
      total: totalExact ? matches : SEARCH_TOTAL_CAP,
      totalExact,
      items: page.map((r) => ({ time: r.time.toISOString(), cluster: r.cluster, event: r.event })),
      nextCursor: more && last ? encodeCursor(last.time.getTime(), last.id) : null,
      ...(histogram ? { histogram } : {}),
    };
  }

  /** Drops the day partitions entirely older than the retention window; returns their names. */
  async applyRetention(now = Date.now()): Promise<string[]> {
    const cutoff = dayOf(new Date(now - this.retentionDays * DAY_MS));
    const dropped: string[] = [];
    for (const table of ['kube_events', 'audit_events'] as const) {
      const parts = (await this.dataSource.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
        [table],
      )) as Array<{ name: string }>;
      for (const { name } of parts) {
        const day = /_p(\d{8})$/.exec(name)?.[1];
        if (day === undefined || day >= cutoff) continue;
        await this.dataSource.query(`DROP TABLE IF EXISTS ${name}`);
        this.partitions.delete(name);
        dropped.push(name);
      }
      // Every partition before the cutoff day is gone, and with them every record before it.
      await this.dataSource.query(`DELETE FROM event_counts WHERE kind = $1 AND minute < $2`, [
        table === 'kube_events' ? 'events' : 'audit',
        new Date(`${cutoff.slice(0, 4)}-${cutoff.slice(4, 6)}-${cutoff.slice(6, 8)}T00:00:00Z`),
      ]);
    }
    return dropped;
  }

  /** The tenants that have archived records of `kind` (a skip scan of the tenant-first key). */
  async tenants(kind: EventRecordKind): Promise<string[]> {
    const table = archiveTable(kind);
    const rows: Array<{ tenant_id: string }> = await this.dataSource.query(
      `WITH RECURSIVE t AS (
         (SELECT tenant_id FROM ${table} ORDER BY tenant_id LIMIT 1)
         UNION ALL
         SELECT (SELECT tenant_id FROM ${table} WHERE tenant_id > t.tenant_id ORDER BY tenant_id LIMIT 1)
         FROM t WHERE t.tenant_id IS NOT NULL
       ) SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL`,
    );
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Deletes one tenant's records older than its retention, when that is shorter than the
   * platform's (whose whole day partitions `applyRetention` drops); returns how many went.
   */
  async applyTenantRetention(
    kind: EventRecordKind,
    tenantId: string,
    retentionSeconds: number,
    now = Date.now(),
  ): Promise<number> {
    const keep = this.retentionMs(retentionSeconds);
    if (keep >= this.retentionDays * DAY_MS) return 0;
    // The counts shrink by the rows deleted, in the same statement; the cutoff need not fall on
    // a minute, so a minute can lose part of its count. Emptied minutes go in the same transaction.
    return this.dataSource.transaction(async (tx) => {
      const [{ n }] = (await tx.query(
        `WITH deleted AS (
           DELETE FROM ${archiveTable(kind)} WHERE tenant_id = $1 AND time < $2
           RETURNING tenant_id, time, cluster
         ), gone AS (
           SELECT date_bin('1 minute', time, 'epoch') AS minute, cluster, count(*) AS n
           FROM deleted GROUP BY 1, 2
         ), counted AS (
           UPDATE event_counts c SET n = c.n - gone.n FROM gone
           WHERE c.tenant_id = $1 AND c.kind = $3 AND c.minute = gone.minute
             AND c.cluster = gone.cluster
         )
         SELECT count(*) AS n FROM deleted`,
        [tenantId, new Date(now - keep), kind],
      )) as Array<{ n: string }>;
      await tx.query(
        `DELETE FROM event_counts WHERE tenant_id = $1 AND kind = $2 AND minute < $3 AND n <= 0`,
        [tenantId, kind, new Date(now - keep)],
      );
      return Number(n);
    });
  }

  /** The platform's retention, or the tenant's when it is set and shorter. */
  private retentionMs(retentionSeconds: number): number {
    const platform = this.retentionDays * DAY_MS;
    return retentionSeconds > 0 ? Math.min(platform, retentionSeconds * 1000) : platform;
  }

  /** Closes the pool. */
  close(): Promise<void> {
    return this.dataSource.destroy();
  }

  private async ensurePartition(table: string, day: string): Promise<void> {
    const name = `${table}_p${day}`;
    if (this.partitions.has(name)) return;
    const from = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
    const to = new Date(Date.parse(`${from}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    try {
      await this.dataSource.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
    } catch (error) {
      // Two replicas creating the same partition: the loser's IF NOT EXISTS can still collide.
      const code = (error as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw error;
    }
    this.partitions.add(name);
  }
}

/**
 * The statement adding rows of `source` (tenant_id, time, cluster) to the per-minute counts; in a
 * fixed order, so two batches touching the same minutes lock them in the same order.
 */
export function countInsert(kind: EventRecordKind, source: string): string {
  return `INSERT INTO event_counts (tenant_id, kind, minute, cluster, n)
    SELECT tenant_id, '${kind === 'events' ? 'events' : 'audit'}', date_bin('1 minute', time, 'epoch'), cluster, count(*)
    FROM ${source} GROUP BY 1, 3, 4 ORDER BY 1, 3, 4
    ON CONFLICT (tenant_id, kind, minute, cluster) DO UPDATE SET n = event_counts.n + excluded.n`;
}

function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Rows of one tenant ready for {@link EventArchive.write}: COPY text, days and per-minute counts. */
export interface PreparedRows {
  readonly kind: EventRecordKind;
  readonly tenantId: string;
  /** How many rows the text holds. */
  readonly rows: number;
  /** The COPY input (text format), UTF-8. */
  readonly text: Buffer;
  /** The day partitions the rows need (`yyyymmdd`). */
  readonly days: readonly string[];
  readonly minutes: Date[];
  readonly clusters: string[];
  readonly counts: number[];
}

/** Feeds COPY text to a `COPY … FROM STDIN` on `client`. */
function copyInto(client: PoolClient, statement: string, texts: readonly Buffer[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stream = client.query(copyFrom(statement));
    stream.on('finish', resolve);
    stream.on('error', reject);
    for (const text of texts) stream.write(text);
    stream.end();
  });
}

/**
 * The per-minute counts of a group's batches, one entry per tenant, minute and cluster (an upsert
 * may not touch a row twice).
 */
function groupCounts(group: readonly PreparedRows[]): {
  tenants: string[];
  minutes: Date[];
  clusters: string[];
  counts: number[];
} {
  const byKey = new Map<string, { tenant: string; minute: Date; cluster: string; n: number }>();
  for (const p of group)
    for (let i = 0; i < p.minutes.length; i++) {
      const key = `${p.tenantId}\u0000${p.minutes[i].getTime()}\u0000${p.clusters[i]}`;
      const found = byKey.get(key);
      if (found) found.n += p.counts[i];
      else
        byKey.set(key, {
          tenant: p.tenantId,
          minute: p.minutes[i],
          cluster: p.clusters[i],
          n: p.counts[i],
        });
    }
  const all = [...byKey.values()];
  return {
    tenants: all.map((c) => c.tenant),
    minutes: all.map((c) => c.minute),
    clusters: all.map((c) => c.cluster),
    counts: all.map((c) => c.n),
  };
}
