import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Per-minute counts of archived records by tenant, kind and cluster, kept by the archive's insert
 * and retention statements, so a histogram over days reads minutes instead of every row. Records
 * archived before this migration are counted once here.
 */
export class CreateEventCounts1733380000000 implements MigrationInterface {
  name = 'CreateEventCounts1733380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE event_counts (
      tenant_id text NOT NULL, kind text NOT NULL, minute timestamptz NOT NULL,
      cluster text NOT NULL, n bigint NOT NULL,
      PRIMARY KEY (tenant_id, kind, minute, cluster)
    )`);
    for (const [kind, table] of [
      ['events', 'kube_events'],
      ['audit', 'audit_events'],
    ] as const)
      await q.query(
        `INSERT INTO event_counts (tenant_id, kind, minute, cluster, n)
         SELECT tenant_id, '${kind}', date_bin('1 minute', time, 'epoch'), cluster, count(*)
         FROM ${table} GROUP BY 1, 3, 4`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_counts`);
  }
}
