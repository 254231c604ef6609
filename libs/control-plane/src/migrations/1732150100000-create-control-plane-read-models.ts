import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read-model tables of the control plane, filled by its projection. */
export class CreateControlPlaneReadModels1732150100000 implements MigrationInterface {
  name = 'CreateControlPlaneReadModels1732150100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE cp_tenants (tenant_id text PRIMARY KEY, status text NOT NULL, view jsonb NOT NULL)`,
    );
    await q.query(`CREATE TABLE cp_quotas (tenant_id text PRIMARY KEY, view jsonb NOT NULL)`);
    await q.query(
      `CREATE TABLE cp_api_keys (key_id text PRIMARY KEY, tenant_id text NOT NULL, view jsonb NOT NULL)`,
    );
    await q.query(`CREATE INDEX cp_api_keys_tenant_idx ON cp_api_keys (tenant_id, key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cp_api_keys`);
    await q.query(`DROP TABLE cp_quotas`);
    await q.query(`DROP TABLE cp_tenants`);
  }
}
