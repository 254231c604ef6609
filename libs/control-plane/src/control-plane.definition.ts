import { defineService, secretKeyringFrom } from '@strata/service-kit';
import { ControlPlaneModule } from './control-plane.module';

/** How processes compose the control plane (its app and the all-in-one `strata`): the event store at DATABASE_URL. */
export const controlPlaneService = defineService('control-plane', (config) =>
  ControlPlaneModule.forRoot({
    databaseUrl: config.DATABASE_URL,
    maxRulesPerGroup: config.STRATA_RULER_MAX_RULES_PER_GROUP,
    secretKeyring: secretKeyringFrom(config),
  }),
);
