import { defineService } from '@strata/service-kit';
import { CompactorModule } from './compactor.module';

/** How processes compose the compactor service (its app and the all-in-one `strata`). */
export const compactorService = defineService('compactor', CompactorModule);
