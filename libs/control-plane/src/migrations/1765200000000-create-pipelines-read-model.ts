import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read model of log pipelines, filled by the control plane's projection. */
export class CreatePipelinesReadModel1765200000000 implements MigrationInterface {
  name = 'CreatePipelinesReadModel1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE cp_pipelines (pipeline_key text PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL, view jsonb NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cp_pipelines`);
  }
}
