export { EventsIngestController, CLUSTER_HEADER } from './events-ingest.controller';
export { EventsSearchController, searchParams } from './events-search.controller';
export {
  acceptEventBodies,
  limitEventBodies,
  EVENT_INGEST_PATHS,
  DEFAULT_EVENTS_MAX_BODY_BYTES,
} from './event-bodies';
