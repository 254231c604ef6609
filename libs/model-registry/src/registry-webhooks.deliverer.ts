import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, type Bus, BusClient, type ConsumedMessage, type Stoppable } from '@strata/bus';
import { type RegistryWebhookView, type RelayedEvent, Streams, Subjects } from '@strata/contracts';
import { MODEL_REGISTRY_OPTIONS, type ModelRegistryOptions } from './model-registry.options';
import {
  deliveryIdOf,
  webhookBody,
  webhookMessageOf,
  webhookSignature,
  type WebhookMessage,
} from './webhook-payload';

const CONSUMER = 'model-registry-webhooks';
const START_RETRY_MS = 2_000;
/** MLflow retries these statuses; anything else below 200 or from 300 up is the receiver's final word. */
const RETRIED = new Set([408, 429, 500, 502, 503, 504]);

/** How one POST ended. */
type Outcome = 'delivered' | 'retry' | 'refused';

/**
 * POSTs the registry's events to the tenant's webhook subscriptions as MLflow does (payload,
 * `X-MLflow-Signature`, `X-MLflow-Timestamp`, `X-MLflow-Delivery-Id`). Events come from a durable
 * JetStream consumer of the control plane's `model` events, acked only once every matching
 * subscription has taken it or been given up on, so a restart resumes where delivery stopped.
 */
@Injectable()
export class RegistryWebhooksDeliverer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ModelRegistry');
  private readonly client: BusClient;
  private consumer: Stoppable | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(MODEL_REGISTRY_OPTIONS) private readonly options: ModelRegistryOptions,
  ) {
    this.client = new BusClient(bus);
  }

  onApplicationBootstrap(): void {
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.retry) clearTimeout(this.retry);
    await this.consumer?.stop();
  }

  /** Binds the consumer; until the control plane has made its stream, tries again every few seconds. */
  private async start(): Promise<void> {
    try {
      const consumer = await this.bus.consume(
        {
          stream: Streams.controlEvents.name,
          durableName: CONSUMER,
          filterSubjects: [Subjects.controlEvents('model')],
          // Events from before the service first ran were never promised to any receiver.
          deliverPolicy: 'new',
          maxDeliver: 20,
        },
        (message) => this.handle(message),
        { concurrency: 8 },
      );
      if (this.stopped) await consumer.stop();
      else this.consumer = consumer;
    } catch (error) {
      if (this.stopped) return;
      this.log.warn(`registry webhooks wait for the control-plane stream: ${String(error)}`);
      this.retry = setTimeout(() => void this.start(), START_RETRY_MS);
    }
  }

  private async handle(message: ConsumedMessage): Promise<void> {
    const relayed = message.json<RelayedEvent>();
    const webhook = webhookMessageOf(relayed);
    const tenantId = (relayed.data as { tenantId?: string }).tenantId;
    if (webhook === null || tenantId === undefined) return;
    // A failed query throws: the message is redelivered, and no subscription is skipped.
    const subscriptions = (await this.client.ask(Subjects.controlQuery, {
      query: { type: 'ListRegistryWebhooks', tenantId },
      requestId: `model-registry-webhooks-${relayed.position}`,
    })) as RegistryWebhookView[];
    await Promise.all(
      subscriptions
        .filter((s) => s.events.includes(webhook.event))
        .map((s) => this.deliver(s, webhook, relayed.position)),
    );
  }

  /** Sends until the receiver takes it, refuses it, or the attempts run out (then it is given up). */
  private async deliver(
    subscription: RegistryWebhookView,
    message: WebhookMessage,
    position: number,
  ): Promise<void> {
    const { attempts, firstRetryMs, maxRetryMs } = this.options.webhooks;
    const deliveryId = deliveryIdOf(position, subscription.tenantId, subscription.name);
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const [outcome, detail] = await this.post(subscription, message, deliveryId);
      if (outcome === 'delivered') return;
      last = detail;
      if (outcome === 'refused') break;
      if (attempt < attempts)
        await sleep(Math.min(maxRetryMs, firstRetryMs * 2 ** (attempt - 1)), undefined, {
          signal: this.stopping.signal,
        }).catch(() => undefined);
      // Stopping mid-retry leaves the event unacked: the next start delivers it again.
      if (this.stopped)
        throw new Error(`stopped while delivering ${message.event} #${position}, not given up`);
    }
    this.log.warn(
      `${subscription.tenantId}/${subscription.name}: gave up ${message.event} #${position} (${last})`,
    );
  }

  private async post(
    subscription: RegistryWebhookView,
    message: WebhookMessage,
    deliveryId: string,
  ): Promise<[Outcome, string]> {
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = webhookBody(message, now);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-mlflow-delivery-id': deliveryId,
      'x-mlflow-timestamp': String(timestamp),
    };
    if (subscription.secret !== undefined)
      headers['x-mlflow-signature'] = webhookSignature(
        subscription.secret,
        deliveryId,
        timestamp,
        body,
      );
    try {
      const response = await fetch(subscription.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.webhooks.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return ['delivered', ''];
      return [RETRIED.has(response.status) ? 'retry' : 'refused', `HTTP ${response.status}`];
    } catch (error) {
      return ['retry', String(error)];
    }
  }
}
