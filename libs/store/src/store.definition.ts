import { defineService } from '@strata/service-kit';
import { StoreModule } from './store.module';

/** How processes compose the store service (its app and the all-in-one `strata`). */
export const storeService = defineService('store', StoreModule);
