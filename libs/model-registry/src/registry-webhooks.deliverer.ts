import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, type Bus, BusClient, type ConsumedMessage, type Stoppable } from '@strata/bus';
import {
  type RegistryWebhookDelivery,
  type RegistryWebhookTestResult,
  type RegistryWebhookView,
  type RelayedEvent,
  StrataError,
  Streams,
  Subjects,
} from '@strata/contracts';
import {
  isPrivateAddress,
  literalAddressOf,
  PrivateAddressRefusedError,
  publicOnlyLookup,
} from '@strata/service-kit';
import { MODEL_REGISTRY_OPTIONS, type ModelRegistryOptions } from './model-registry.options';
import { WebhookDeliveryLog } from './webhook-delivery.log';
import {
  deliveryIdOf,
  sampleWebhookMessage,
  webhookBody,
  webhookMessageOf,
  webhookSignature,
  type WebhookMessage,
} from './webhook-payload';

const CONSUMER = 'model-registry-webhooks';
const START_RETRY_MS = 2_000;
/** MLflow retries these statuses; anything else below 200 or from 300 up is the receiver's final word. */
const RETRIED = new Set([408, 429, 500, 502, 503, 504]);

/** Bytes of a receiver's answer kept for a test's result. */
const KEPT_BODY_BYTES = 4096;

/** How one POST ended. */
type Outcome = 'delivered' | 'retry' | 'refused';

/** One POST: how it ended, the receiver's status and body if it answered, the error if not. */
interface Attempt {
  outcome: Outcome;
  status: number | null;
  body: string | null;
  error: string | null;
}

/**
 * POSTs the registry's events to the tenant's webhook subscriptions as MLflow does (payload,
 * `X-MLflow-Signature`, `X-MLflow-Timestamp`, `X-MLflow-Delivery-Id`). Events come from a durable
 * JetStream consumer of the control plane's `model` events, acked only once every matching
 * subscription has taken it or been given up on, so a restart resumes where delivery stopped.
 * Unless the operator allows it, a URL whose host is or resolves to a private, loopback or
 * link-local address is refused, checked on the connection itself (no DNS rebinding). Each
 * delivery's end is added to the webhook's history.
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
    private readonly history: WebhookDeliveryLog,
  ) {
    this.client = new BusClient(bus);
  }

  /**
   * MLflow's test of a webhook: one POST of a sample `event` (the subscription's first when not
   * named), signed as a real delivery, answered with how the receiver took it and kept in the
   * webhook's history.
   */
  async test(tenantId: string, name: string, event?: string): Promise<RegistryWebhookTestResult> {
    const subscription = (
      await this.subscriptions(tenantId, `model-registry-test-${randomUUID()}`)
    ).find((s) => s.name === name);
    if (!subscription)
      throw new StrataError('not_found', `registry webhook ${JSON.stringify(name)} does not exist`);
    const message = sampleWebhookMessage(event ?? subscription.events[0]);
    if (!message)
      throw new StrataError(
        'validation_failed',
        `no registry webhook event ${JSON.stringify(event)}`,
        [{ path: 'event', message: 'must be one of the registry webhook events' }],
      );
    const deliveryId = randomUUID();
    const attempt = await this.post(subscription, message, deliveryId);
    await this.record(subscription, message.event, deliveryId, attempt, 1, true);
    return {
      success: attempt.outcome === 'delivered',
      response_status: attempt.status,
      response_body: attempt.body,
      error_message: attempt.error,
    };
  }

  /** A webhook's last deliveries, newest first. */
  deliveries(tenantId: string, name: string): Promise<RegistryWebhookDelivery[]> {
    return this.history.list(tenantId, name);
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
    const subscriptions = await this.subscriptions(
      tenantId,
      `model-registry-webhooks-${relayed.position}`,
    );
    await Promise.all(
      subscriptions
        .filter((s) => s.events.includes(webhook.event))
        .map((s) => this.deliver(s, webhook, relayed.position)),
    );
  }

  private async subscriptions(tenantId: string, requestId: string): Promise<RegistryWebhookView[]> {
    return (await this.client.ask(Subjects.controlQuery, {
      query: { type: 'ListRegistryWebhooks', tenantId },
      requestId,
    })) as RegistryWebhookView[];
  }

  /** Sends until the receiver takes it, refuses it, or the attempts run out (then it is given up). */
  private async deliver(
    subscription: RegistryWebhookView,
    message: WebhookMessage,
    position: number,
  ): Promise<void> {
    const { attempts, firstRetryMs, maxRetryMs } = this.options.webhooks;
    const deliveryId = deliveryIdOf(position, subscription.tenantId, subscription.name);
    let last: Attempt | null = null;
    let attempt = 1;
    for (; attempt <= attempts; attempt++) {
      last = await this.post(subscription, message, deliveryId);
      if (last.outcome !== 'retry') break;
      if (attempt < attempts)
        await sleep(Math.min(maxRetryMs, firstRetryMs * 2 ** (attempt - 1)), undefined, {
          signal: this.stopping.signal,
        }).catch(() => undefined);
      // Stopping mid-retry leaves the event unacked: the next start delivers it again.
      if (this.stopped)
        throw new Error(`stopped while delivering ${message.event} #${position}, not given up`);
    }
    if (last === null) return;
    await this.record(
      subscription,
      message.event,
      deliveryId,
      last,
      Math.min(attempt, attempts),
      false,
    );
    if (last.outcome !== 'delivered')
      this.log.warn(
        `${subscription.tenantId}/${subscription.name}: gave up ${message.event} #${position} (${last.error ?? `HTTP ${last.status}`})`,
      );
  }

  /** Adds a delivery's end to the history; a history that cannot be written never stops delivery. */
  private async record(
    subscription: RegistryWebhookView,
    event: string,
    deliveryId: string,
    last: Attempt,
    attempts: number,
    test: boolean,
  ): Promise<void> {
    const status =
      last.outcome === 'delivered' ? 'delivered' : last.outcome === 'retry' ? 'failed' : 'refused';
    await this.history
      .record(subscription.tenantId, subscription.name, {
        deliveryId,
        event,
        status,
        attempts,
        responseStatus: last.status,
        error: last.error,
        at: new Date().toISOString(),
        test,
      })
      .catch((error: unknown) =>
        this.log.warn(
          `${subscription.tenantId}/${subscription.name}: history not kept: ${String(error)}`,
        ),
      );
  }

  private async post(
    subscription: RegistryWebhookView,
    message: WebhookMessage,
    deliveryId: string,
  ): Promise<Attempt> {
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = webhookBody(message, now);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
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
    const url = new URL(subscription.url);
    const allowPrivate = this.options.webhooks.allowPrivateAddresses;
    const literal = literalAddressOf(url);
    // An IP in the URL is never looked up, so it is checked here; names are checked on connect.
    if (!allowPrivate && literal !== null && isPrivateAddress(literal))
      return refusedAddress(new PrivateAddressRefusedError(url.hostname, literal));
    try {
      const response = await send(url, {
        headers,
        body,
        timeoutMs: this.options.webhooks.timeoutMs,
        lookup: allowPrivate ? undefined : publicOnlyLookup,
      });
      const status = response.status;
      if (status >= 200 && status < 300)
        return { outcome: 'delivered', status, body: response.body, error: null };
      return {
        outcome: RETRIED.has(status) ? 'retry' : 'refused',
        status,
        body: response.body,
        error: `HTTP ${status}`,
      };
    } catch (error) {
      if (error instanceof PrivateAddressRefusedError) return refusedAddress(error);
      return { outcome: 'retry', status: null, body: null, error: String(error) };
    }
  }
}

function refusedAddress(error: PrivateAddressRefusedError): Attempt {
  return {
    outcome: 'refused',
    status: null,
    body: null,
    error: `${error.message} (STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES allows them)`,
  };
}

/** One POST over node's http(s), redirects not followed, the answer's first bytes kept. */
function send(
  url: URL,
  options: {
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    lookup: typeof publicOnlyLookup | undefined;
  },
): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: options.headers,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < KEPT_BODY_BYTES) chunks.push(chunk.subarray(0, KEPT_BODY_BYTES - kept));
          kept += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
