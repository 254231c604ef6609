import { defineService } from '@strata/service-kit';
import { RulerModule } from './ruler.module';

/** How processes compose the ruler service (its app and the all-in-one `strata`). */
export const rulerService = defineService('ruler', RulerModule);
