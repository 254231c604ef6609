import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read model of registered models (versions and aliases inside each row), filled by the control plane's projection. */
export class CreateRegisteredModelsReadModel1766000000000 implements MigrationInterface {
  name = 'CreateRegisteredModelsReadModel1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE cp_registered_models (tenant_id text NOT NULL, name text NOT NULL, view jsonb NOT NULL, PRIMARY KEY (tenant_id, name))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cp_registered_models`);
  }
}
