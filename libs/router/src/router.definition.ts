import { defineService } from '@strata/service-kit';
import { RouterModule } from './router.module';

/** How processes compose the router service (its app and the all-in-one `strata`). */
export const routerService = defineService('router', RouterModule);
