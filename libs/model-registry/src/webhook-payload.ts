import { createHash, createHmac } from 'node:crypto';
import { RegistryWebhookEvent, type RelayedEvent } from '@strata/contracts';

/** One registry event as MLflow's webhooks deliver it: its name and the `data` of the payload. */
export interface WebhookMessage {
  event: RegistryWebhookEvent;
  data: Record<string, unknown>;
}

type Data = Record<string, unknown>;

/** Registry events MLflow has a webhook event for, and that event's `data`. */
const MESSAGES: Partial<Record<RelayedEvent['type'], (d: Data) => WebhookMessage>> = {
  RegisteredModelCreated: (d) => ({
    event: 'registered_model.created',
    data: { name: d.name, tags: d.tags, description: d.description || null },
  }),
  ModelVersionCreated: (d) => {
    const spec = d.spec as { source: string; runId?: string; tags: object; description: string };
    return {
      event: 'model_version.created',
      data: {
        name: d.name,
        version: String(d.version),
        source: spec.source,
        run_id: spec.runId ?? null,
        tags: spec.tags,
        description: spec.description || null,
      },
    };
  },
  ModelVersionTagSet: (d) => ({
    event: 'model_version_tag.set',
    data: { name: d.name, version: String(d.version), key: d.key, value: d.value },
  }),
  ModelAliasSet: (d) => ({
    event: 'model_version_alias.created',
    data: { name: d.name, alias: d.alias, version: String(d.version) },
  }),
  ModelAliasDeleted: (d) => ({
    event: 'model_version_alias.deleted',
    data: { name: d.name, alias: d.alias },
  }),
};

/** What a test delivery sends for each event: MLflow's example entities. */
const SAMPLES: Record<RegistryWebhookEvent, Data> = {
  'registered_model.created': {
    name: 'example_model',
    tags: { example_key: 'example_value' },
    description: 'An example registered model',
  },
  'model_version.created': {
    name: 'example_model',
    version: '1',
    source: 'models:/123',
    run_id: 'abcd1234abcd5678',
    tags: { example_key: 'example_value' },
    description: 'An example model version',
  },
  'model_version_tag.set': {
    name: 'example_model',
    version: '1',
    key: 'example_key',
    value: 'example_value',
  },
  'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
  'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
};

/** A test delivery's message for `event`, or null when it is no registry webhook event. */
export function sampleWebhookMessage(event: string): WebhookMessage | null {
  const parsed = RegistryWebhookEvent.safeParse(event);
  return parsed.success ? { event: parsed.data, data: SAMPLES[parsed.data] } : null;
}

/** The MLflow webhook event a relayed registry event is, or null for those MLflow has none for. */
export function webhookMessageOf(relayed: RelayedEvent): WebhookMessage | null {
  return MESSAGES[relayed.type]?.(relayed.data as Data) ?? null;
}

/** The body MLflow POSTs: `{entity, action, timestamp, data}`, the event name split at its dot. */
export function webhookBody(message: WebhookMessage, at: Date): string {
  const [entity, action] = message.event.split('.');
  return JSON.stringify({ entity, action, timestamp: at.toISOString(), data: message.data });
}

/**
 * MLflow's `X-MLflow-Signature`: `v1,` and the base64 HMAC-SHA256, keyed by the secret, of
 * `<delivery id>.<unix seconds>.<body>`, so a receiver can reject a replayed or altered delivery.
 */
export function webhookSignature(
  secret: string,
  deliveryId: string,
  timestamp: number,
  body: string,
): string {
  const mac = createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

/**
 * One event's delivery id for one webhook, the same on every attempt and after a restart, so a
 * receiver can drop a delivery it has already handled.
 */
export function deliveryIdOf(position: number, tenantId: string, webhook: string): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([position, tenantId, webhook]))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
