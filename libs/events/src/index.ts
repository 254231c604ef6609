export { EventsModule } from './events.module';
export { eventsService } from './events.definition';
export { ArchiveRetention, type RetentionSweep } from './archive/archive-retention';
export { EventArchive, countInsert, type EventArchiveOptions } from './archive/event-archive';
export { type SearchQueryOptions } from './archive/search-query';
export { auditEventRow, kubeEventRow, type ArchiveRow } from './archive/archive-rows';
export { copyText, copyStatement } from './archive/archive-copy';
export { arrayElementTexts } from './evaluate/json-items';
