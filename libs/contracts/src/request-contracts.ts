import { type CommandAccepted, type ControlCommandRequest } from './control/commands';
import { type ControlQueryRequest } from './control/queries';
import {
  type RouterWriteMeta,
  type RouterWriteRequest,
  type RouterWriteResponse,
} from './ingest/write';
import { type StoreRequest } from './ingest/store-api';
import { type RulerStatusReply, type RulerStatusRequest } from './ruler/ruler-api';
import { type Subjects } from './subjects';
import {
  type EventBatchMeta,
  type EventBatchAccepted,
  type EventSearchRequest,
  type EventSearchResult,
  type EventsSubjects,
} from './events/events-api';
import {
  type HistoryPage,
  type HistoryRequest,
  type ListAlertsRequest,
  type ListSilencesRequest,
  type NotificationSubjects,
  type PostAlertsRequest,
  type PutSilenceRequest,
  type SilenceIdRequest,
  type TenantRequest,
} from './notification/notification-api';
import {
  type CollectModelGarbageReply,
  type CollectModelGarbageRequest,
  type RegistryWebhookDelivery,
  type RegistryWebhookRef,
  type RegistryWebhookTestResult,
  type ModelsSubjects,
} from './models/models-api';
import { type ServiceHealth, type ServiceInfo } from './platform/service-info';
import {
  type CardinalityLabelNamesRequest,
  type CardinalityLabelValuesRequest,
  type ExemplarsRequest,
  type InstantQueryRequest,
  type LabelNamesRequest,
  type LabelValuesRequest,
  type MetadataRequest,
  type PromApiReply,
  type QuerySubjects,
  type PromApiSerializedReply,
  type RangeQueryRequest,
  type SeriesRequest,
  type TenantUserStats,
  type TsdbStatusRequest,
  type UserStatsRequest,
} from './query/query-api';

type PromReply = PromApiReply<unknown>;
/** Large answers travel pre-serialised; errors still come as a plain reply. */
type PromSerializedReply = PromApiReply<unknown> | PromApiSerializedReply;

/**
 * Every JSON request/reply subject with the payload it takes and the reply it gets: the typed bus
 * client checks calls against it. Replies typed `unknown` vary with the request (control queries,
 * Store API answers) and are narrowed by their callers.
 */
export interface RequestContracts {
  [Subjects.controlCommand]: { request: ControlCommandRequest; response: CommandAccepted };
  [Subjects.controlQuery]: { request: ControlQueryRequest; response: unknown };
  [Subjects.routerWrite]: { request: RouterWriteRequest; response: RouterWriteResponse };
  [QuerySubjects.instant]: { request: InstantQueryRequest; response: PromReply };
  [QuerySubjects.range]: { request: RangeQueryRequest; response: PromSerializedReply };
  [QuerySubjects.series]: { request: SeriesRequest; response: PromReply };
  [QuerySubjects.labelNames]: { request: LabelNamesRequest; response: PromReply };
  [QuerySubjects.labelValues]: { request: LabelValuesRequest; response: PromReply };
  [QuerySubjects.metadata]: { request: MetadataRequest; response: PromReply };
  [QuerySubjects.exemplars]: { request: ExemplarsRequest; response: PromReply };
  [QuerySubjects.tsdbStatus]: { request: TsdbStatusRequest; response: PromSerializedReply };
  [QuerySubjects.cardinalityLabelNames]: {
    request: CardinalityLabelNamesRequest;
    response: PromReply;
  };
  [QuerySubjects.cardinalityLabelValues]: {
    request: CardinalityLabelValuesRequest;
    response: PromReply;
  };
  [QuerySubjects.userStats]: { request: UserStatsRequest; response: PromApiReply<TenantUserStats> };
  [EventsSubjects.search]: { request: EventSearchRequest; response: EventSearchResult };
  [NotificationSubjects.postAlerts]: { request: PostAlertsRequest; response: object };
  [NotificationSubjects.listAlerts]: { request: ListAlertsRequest; response: unknown[] };
  [NotificationSubjects.alertGroups]: { request: ListAlertsRequest; response: unknown[] };
  [NotificationSubjects.listSilences]: { request: ListSilencesRequest; response: unknown[] };
  [NotificationSubjects.getSilence]: { request: SilenceIdRequest; response: unknown };
  [NotificationSubjects.putSilence]: {
    request: PutSilenceRequest;
    response: { silenceID: string };
  };
  [NotificationSubjects.expireSilence]: { request: SilenceIdRequest; response: object };
  [NotificationSubjects.status]: { request: TenantRequest; response: unknown };
  [NotificationSubjects.receivers]: { request: TenantRequest; response: unknown[] };
  [NotificationSubjects.history]: { request: HistoryRequest; response: HistoryPage };
  [ModelsSubjects.collectGarbage]: {
    request: CollectModelGarbageRequest;
    response: CollectModelGarbageReply;
  };
  [ModelsSubjects.testWebhook]: {
    request: RegistryWebhookRef;
    response: RegistryWebhookTestResult;
  };
  [ModelsSubjects.webhookDeliveries]: {
    request: RegistryWebhookRef;
    response: RegistryWebhookDelivery[];
  };
  [health: `strata.service.health.v1.${string}`]: {
    request: Record<string, never>;
    response: ServiceHealth;
  };
  [info: `strata.service.info.v1.${string}`]: {
    request: Record<string, never>;
    response: ServiceInfo;
  };
  [store: `strata.store.query.v1.${string}`]: { request: StoreRequest; response: unknown };
  [Subjects.rulerStatus]: { request: RulerStatusRequest; response: RulerStatusReply };
  [replica: `strata.ruler.replica-status.v1.${string}`]: {
    request: RulerStatusRequest;
    response: RulerStatusReply;
  };
}

/** Binary request subjects: the bytes travel as the payload, `meta` as JSON beside them. */
export interface BinaryRequestContracts {
  [Subjects.routerWriteBinary]: { meta: RouterWriteMeta; response: RouterWriteResponse };
  [EventsSubjects.ingest]: { meta: EventBatchMeta; response: EventBatchAccepted };
}

/** A subject of the query service. */
export type QuerySubject = (typeof QuerySubjects)[keyof typeof QuerySubjects];
/** A subject of `RequestContracts`. */
export type RequestSubject = keyof RequestContracts & string;
/** The payload a request subject takes. */
export type RequestOf<S extends RequestSubject> = RequestContracts[S]['request'];
/** The reply a request subject gets. */
export type ResponseOf<S extends RequestSubject> = RequestContracts[S]['response'];
/** A subject of `BinaryRequestContracts`. */
export type BinaryRequestSubject = keyof BinaryRequestContracts & string;
