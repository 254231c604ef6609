export { EventsModule } from './events.module';
export { eventsService } from './events.definition';
