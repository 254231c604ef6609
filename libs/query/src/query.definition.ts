import { defineService } from '@strata/service-kit';
import { QueryModule } from './query.module';

/** How processes compose the query service (its app and the all-in-one `strata`). */
export const queryService = defineService('query', QueryModule);
