import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Creates the append-only events table, the outbox and the projection checkpoints. */
export class CreateEventStore1732150000000 implements MigrationInterface {
  name = 'CreateEventStore1732150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        position bigserial PRIMARY KEY,
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX events_recorded_at_idx ON events (recorded_at)`);
    await q.query(`CREATE INDEX events_type_idx ON events (type, position)`);
    await q.query(`CREATE INDEX events_tenant_idx ON events ((metadata->>'tenant'), position)`);
    await q.query(`CREATE INDEX events_actor_idx ON events ((metadata->>'actor'), position)`);
    await q.query(`CREATE INDEX events_request_idx ON events ((metadata->>'requestId'))`);
    // The application never updates or deletes an event; the trigger makes that a rule of the
    // database too, so only someone who deliberately disables triggers can tamper (and the chain
    // catches that).
    await q.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
      END $$`);
    await q.query(
      `CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`,
    );
    await q.query(`
      CREATE TABLE outbox (
        position bigint PRIMARY KEY REFERENCES events (position),
        subject text NOT NULL,
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (position) WHERE sent_at IS NULL`);
    await q.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projection_checkpoints`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_append_only()`);
  }
}
