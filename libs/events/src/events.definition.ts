import { defineService } from '@strata/service-kit';
import { EventsModule } from './events.module';

/** How processes compose the events service (its app and the all-in-one `strata`). */
export const eventsService = defineService('events', EventsModule);
