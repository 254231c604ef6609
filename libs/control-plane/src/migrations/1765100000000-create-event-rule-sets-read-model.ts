import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read model of tenants' kube-events / kube-auditing rule sets, filled by their projection. */
export class CreateEventRuleSetsReadModel1765100000000 implements MigrationInterface {
  name = 'CreateEventRuleSetsReadModel1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE cp_event_rule_sets (tenant_id text NOT NULL, name text NOT NULL, view jsonb NOT NULL, PRIMARY KEY (tenant_id, name))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cp_event_rule_sets`);
  }
}
