import { type MigrationInterface } from 'typeorm';
import { CreateControlPlaneReadModels1732150100000 } from './1732150100000-create-control-plane-read-models';

/** The control plane's migrations, run after the event store's. */
export const CONTROL_PLANE_MIGRATIONS: Array<new () => MigrationInterface> = [CreateControlPlaneReadModels1732150100000];
