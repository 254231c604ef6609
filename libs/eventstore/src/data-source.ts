import { DataSource, type MigrationInterface } from 'typeorm';
import { CreateEventStore1732150000000 } from './migrations/1732150000000-create-event-store';

/** The event store's own migrations, in order; feature libraries append theirs after these. */
export const EVENT_STORE_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateEventStore1732150000000,
];

/** Options of the Postgres connection the event store uses. */
export interface EventStoreDataSourceOptions {
  databaseUrl: string;
  /** Migrations to run besides the event store's own (read-model tables of features). */
  migrations?: Array<new () => MigrationInterface>;
  /** Connections in the pool; appends are batched, so a handful suffices. */
  poolSize?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

/** Builds (without connecting) a TypeORM data source over Postgres; schema changes only through migrations. */
export function createEventStoreDataSource(options: EventStoreDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    migrations: [...EVENT_STORE_MIGRATIONS, ...(options.migrations ?? [])],
    applicationName: options.applicationName ?? 'strata-eventstore',
    extra: { max: options.poolSize ?? 10 },
    logging: false,
  });
}

/** Applies pending migrations, each in its own transaction, and returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  // Replicas starting together would race on the same migration; a session lock queues them.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

const MIGRATION_LOCK_KEY = 0x5374_7263;
