import { createHash, createHmac } from 'node:crypto';
import { type RegistryWebhookEvent, type RelayedEvent } from '@strata/contracts';

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
