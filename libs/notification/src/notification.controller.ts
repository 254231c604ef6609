import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ValidatePayload, eventRoute, requestRoute } from '@strata/bus';
import {
  EventAlerts,
  EventsStreams,
  HistoryRequest,
  LogAlerts,
  LogflowStreams,
  ListAlertsRequest,
  ListSilencesRequest,
  NotificationSubjects,
  PostAlertsRequest,
  PutSilenceRequest,
  QueueGroups,
  RulerAlertBatch,
  Streams,
  SilenceIdRequest,
  StrataError,
  TenantRequest,
  type HistoryPage,
} from '@strata/contracts';
import { SilenceError, checkPostedAlerts, maskSecrets } from '@strata/alertmanager';
import { Alertmanagers } from './alertmanagers.service';
import {
  alertGroupsView,
  filterAlerts,
  filterSilences,
  gettableAlert,
  gettableSilence,
} from './api-views';

const route = requestRoute({ queueGroup: QueueGroups.of('notification') });
const STARTED = Date.now();

function silenceFailure(e: unknown): never {
  if (e instanceof SilenceError)
    throw new StrataError(e.reason === 'not_found' ? 'not_found' : 'bad_request', e.message);
  throw e;
}

/** Alertmanager's API v2 and the history, per tenant, over the bus. */
@Controller()
export class NotificationController {
  constructor(private readonly ams: Alertmanagers) {}

  @MessagePattern(NotificationSubjects.postAlerts, route)
  async postAlerts(
    @Payload(new ValidatePayload(PostAlertsRequest, 'alerts')) req: PostAlertsRequest,
  ): Promise<object> {
    await this.accept(req);
    return {};
  }

  @EventPattern(
    Streams.rulerAlerts.subjects[0],
    eventRoute({
      consumer: {
        stream: Streams.rulerAlerts.name,
        durableName: 'notification-ruler-alerts',
        maxDeliver: 5,
      },
    }),
  )
  async rulerAlerts(
    @Payload(new ValidatePayload(RulerAlertBatch, 'ruler alerts')) batch: RulerAlertBatch,
  ): Promise<void> {
    await this.accept({ tenantId: batch.tenantId, alerts: batch.alerts });
  }

  @EventPattern(
    EventsStreams.alerts.subjects[0],
    eventRoute({
      consumer: {
        stream: EventsStreams.alerts.name,
        durableName: 'notification-event-alerts',
        maxDeliver: 5,
      },
    }),
  )
  async eventAlerts(
    @Payload(new ValidatePayload(EventAlerts, 'event alerts')) batch: EventAlerts,
  ): Promise<void> {
    await this.accept({ tenantId: batch.tenantId, alerts: batch.alerts });
  }

  @EventPattern(
    LogflowStreams.alerts.subjects[0],
    eventRoute({
      consumer: {
        stream: LogflowStreams.alerts.name,
        durableName: 'notification-log-alerts',
        maxDeliver: 5,
      },
    }),
  )
  async logAlerts(
    @Payload(new ValidatePayload(LogAlerts, 'log alerts')) batch: LogAlerts,
  ): Promise<void> {
    await this.accept({ tenantId: batch.tenantId, alerts: batch.alerts });
  }

  @MessagePattern(NotificationSubjects.listAlerts, route)
  async listAlerts(
    @Payload(new ValidatePayload(ListAlertsRequest, 'alert query')) req: ListAlertsRequest,
  ): Promise<unknown> {
    await this.ams.caughtUp(req.tenantId);
    const am = await this.ams.of(req.tenantId);
    return filterAlerts(am.list(), req).map(gettableAlert);
  }

  @MessagePattern(NotificationSubjects.alertGroups, route)
  async alertGroups(
    @Payload(new ValidatePayload(ListAlertsRequest, 'alert query')) req: ListAlertsRequest,
  ): Promise<unknown> {
    await this.ams.caughtUp(req.tenantId);
    const am = await this.ams.of(req.tenantId);
    return alertGroupsView(am.groups(), filterAlerts(am.list(), req));
  }

  @MessagePattern(NotificationSubjects.listSilences, route)
  async listSilences(
    @Payload(new ValidatePayload(ListSilencesRequest, 'silence query')) req: ListSilencesRequest,
  ): Promise<unknown> {
    const am = await this.ams.of(req.tenantId);
    const now = Date.now();
    return filterSilences(am.silences.list(), req.filter, now).map((s) => gettableSilence(s, now));
  }

  @MessagePattern(NotificationSubjects.getSilence, route)
  async getSilence(
    @Payload(new ValidatePayload(SilenceIdRequest, 'silence')) req: SilenceIdRequest,
  ): Promise<unknown> {
    const s = (await this.ams.of(req.tenantId)).silences.get(req.id);
    if (s === undefined) throw new StrataError('not_found', `silence ${req.id} not found`);
    return gettableSilence(s, Date.now());
  }

  @MessagePattern(NotificationSubjects.putSilence, route)
  async putSilence(
    @Payload(new ValidatePayload(PutSilenceRequest, 'silence')) req: PutSilenceRequest,
  ): Promise<{ silenceID: string }> {
    const am = await this.ams.of(req.tenantId);
    const { silence } = req;
    const silenceID = await am.silences
      .set({
        ...(silence.id ? { id: silence.id } : {}),
        matchers: silence.matchers,
        startsAt: Date.parse(silence.startsAt),
        endsAt: Date.parse(silence.endsAt),
        createdBy: silence.createdBy,
        comment: silence.comment,
      })
      .catch(silenceFailure);
    return { silenceID };
  }

  @MessagePattern(NotificationSubjects.expireSilence, route)
  async expireSilence(
    @Payload(new ValidatePayload(SilenceIdRequest, 'silence')) req: SilenceIdRequest,
  ): Promise<object> {
    await (await this.ams.of(req.tenantId)).silences.expire(req.id).catch(silenceFailure);
    return {};
  }

  @MessagePattern(NotificationSubjects.status, route)
  async status(
    @Payload(new ValidatePayload(TenantRequest, 'status')) req: TenantRequest,
  ): Promise<unknown> {
    const am = await this.ams.of(req.tenantId);
    return {
      cluster: { name: 'strata', peers: [], status: 'disabled' },
      config: { original: maskSecrets(am.currentConfig.original) },
      uptime: new Date(STARTED).toISOString(),
      versionInfo: {
        branch: 'strata',
        buildDate: '',
        buildUser: 'strata',
        goVersion: 'n/a',
        revision: '',
        version: '0.25.0-strata',
      },
    };
  }

  @MessagePattern(NotificationSubjects.receivers, route)
  async receivers(
    @Payload(new ValidatePayload(TenantRequest, 'receivers')) req: TenantRequest,
  ): Promise<unknown> {
    return (await this.ams.of(req.tenantId)).currentConfig.receivers.map((r) => ({ name: r.name }));
  }

  @MessagePattern(NotificationSubjects.history, route)
  async history(
    @Payload(new ValidatePayload(HistoryRequest, 'history query')) req: HistoryRequest,
  ): Promise<HistoryPage> {
    const since = req.since ? Date.parse(req.since) : null;
    const items = [];
    let nextCursor: string | null = null;
    for await (const e of this.ams.historyOf(req.tenantId)) {
      if (req.cursor !== undefined && e.id <= req.cursor) continue;
      if (since !== null && Date.parse(e.at) < since) break;
      if (req.receiver !== undefined && e.receiver !== req.receiver) continue;
      if (req.status !== undefined && e.status !== req.status) continue;
      if (req.integration !== undefined && e.integration !== req.integration) continue;
      if (items.length === req.limit) {
        nextCursor = items[items.length - 1].id;
        break;
      }
      items.push(e);
    }
    return { items, nextCursor };
  }

  /** Checks alerts as a post is checked and stores them in the stream every replica folds. */
  private async accept(req: PostAlertsRequest): Promise<void> {
    const checked = checkPostedAlerts(req.alerts);
    if ('problems' in checked)
      throw new StrataError(
        'bad_request',
        checked.problems.map((p) => `alerts.${p.path}: ${p.message}`).join('; '),
      );
    await this.ams.storePosted(req.tenantId, checked.alerts);
  }
}
