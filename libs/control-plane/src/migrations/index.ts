import { type MigrationInterface } from 'typeorm';
import { CreateControlPlaneReadModels1732150100000 } from './1732150100000-create-control-plane-read-models';
import { CreateRuleGroupsReadModel1765000000000 } from './1765000000000-create-rule-groups-read-model';
import { CreateEventRuleSetsReadModel1765100000000 } from './1765100000000-create-event-rule-sets-read-model';
import { CreatePipelinesReadModel1765200000000 } from './1765200000000-create-pipelines-read-model';
import { CreateRegisteredModelsReadModel1766000000000 } from './1766000000000-create-registered-models-read-model';

/** The control plane's migrations, run after the event store's. */
export const CONTROL_PLANE_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateControlPlaneReadModels1732150100000,
  CreateRuleGroupsReadModel1765000000000,
  CreateEventRuleSetsReadModel1765100000000,
  CreatePipelinesReadModel1765200000000,
  CreateRegisteredModelsReadModel1766000000000,
];
