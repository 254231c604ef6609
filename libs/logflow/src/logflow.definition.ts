import { defineService } from '@strata/service-kit';
import { LogflowModule } from './logflow.module';

/** How processes compose the logflow service (its app and the all-in-one `strata`). */
export const logflowService = defineService('logflow', LogflowModule);
