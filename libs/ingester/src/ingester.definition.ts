import { defineService } from '@strata/service-kit';
import { IngesterModule } from './ingester.module';

/** How processes compose the ingester service (its app and the all-in-one `strata`). */
export const ingesterService = defineService('ingester', IngesterModule);
