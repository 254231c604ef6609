export { EventsModule } from './events.module';
export { eventsService } from './events.definition';
export { ArchiveRetention, type RetentionSweep } from './archive/archive-retention';
