import { Subjects } from '@strata/contracts';
import { EventStore, createEventStoreDataSource, runMigrations } from '@strata/eventstore';
import { type DataSource } from 'typeorm';
import { CONTROL_PLANE_MIGRATIONS } from './migrations';

/** The control plane's Postgres: its data source and event store (outbox rows go to `Subjects.controlEvents`). */
export interface ControlPlaneStore {
  dataSource: DataSource;
  store: EventStore;
  close(): Promise<void>;
}

/** Connects to the control plane's database, running pending migrations first when asked. */
export async function openControlPlaneStore(options: {
  databaseUrl: string;
  migrate?: boolean;
  poolSize?: number;
}): Promise<ControlPlaneStore> {
  const dataSource = createEventStoreDataSource({
    databaseUrl: options.databaseUrl,
    migrations: CONTROL_PLANE_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: 'strata-control-plane',
  });
  await dataSource.initialize();
  try {
    if (options.migrate) await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  const store = new EventStore(dataSource, {
    outboxSubject: (_streamId, aggregate) => Subjects.controlEvents(aggregate),
  });
  return { dataSource, store, close: () => dataSource.destroy() };
}
