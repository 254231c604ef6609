import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read model of rule groups (all three scopes), filled by the control plane's projection. */
export class CreateRuleGroupsReadModel1765000000000 implements MigrationInterface {
  name = 'CreateRuleGroupsReadModel1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE cp_rule_groups (group_key text PRIMARY KEY, scope text NOT NULL, tenant_id text, namespace text, name text NOT NULL, view jsonb NOT NULL)`,
    );
    await q.query(
      `CREATE INDEX cp_rule_groups_tenant_idx ON cp_rule_groups (tenant_id, group_key)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cp_rule_groups`);
  }
}
