import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The archive: one table per kind, partitioned by day on the record's time so retention drops
 * whole partitions; every index leads with the tenant, so a search never reads another's rows.
 */
export class CreateEventArchive1732160000000 implements MigrationInterface {
  name = 'CreateEventArchive1732160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE kube_events (
      tenant_id text NOT NULL, time timestamptz NOT NULL, id text NOT NULL, cluster text NOT NULL,
      namespace text NOT NULL, resource text NOT NULL, name text NOT NULL, reason text NOT NULL,
      type text NOT NULL, message text NOT NULL, event jsonb NOT NULL,
      PRIMARY KEY (tenant_id, time, id)
    ) PARTITION BY RANGE (time)`);
    await q.query(`CREATE INDEX kube_events_ns_idx ON kube_events (tenant_id, namespace, time)`);
    await q.query(`CREATE INDEX kube_events_name_idx ON kube_events (tenant_id, name, time)`);
    await q.query(`CREATE INDEX kube_events_reason_idx ON kube_events (tenant_id, reason, time)`);
    await q.query(`CREATE TABLE audit_events (
      tenant_id text NOT NULL, time timestamptz NOT NULL, id text NOT NULL, cluster text NOT NULL,
      namespace text NOT NULL, resource text NOT NULL, name text NOT NULL, verb text NOT NULL,
      username text NOT NULL, response_code integer, stage text NOT NULL, message text NOT NULL,
      event jsonb NOT NULL,
      PRIMARY KEY (tenant_id, time, id)
    ) PARTITION BY RANGE (time)`);
    await q.query(`CREATE INDEX audit_events_ns_idx ON audit_events (tenant_id, namespace, time)`);
    await q.query(`CREATE INDEX audit_events_user_idx ON audit_events (tenant_id, username, time)`);
    await q.query(`CREATE INDEX audit_events_verb_idx ON audit_events (tenant_id, verb, time)`);
    await q.query(
      `CREATE INDEX audit_events_resource_idx ON audit_events (tenant_id, resource, time)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE kube_events`);
  }
}
