export { EventsModule } from './events.module';
export { eventsService } from './events.definition';
export { ArchiveRetention, type RetentionSweep } from './archive/archive-retention';
export { EventArchive, type EventArchiveOptions } from './archive/event-archive';
export { auditEventRow, kubeEventRow, type ArchiveRow } from './archive/archive-rows';
