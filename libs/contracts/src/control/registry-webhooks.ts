import { z } from 'zod';
import { TenantId } from './ids';
import { SECRET_MASK } from './secrets';

/**
 * MLflow's registry webhook events (`<entity>.<action>`), in the order MLflow lists them; a
 * subscription names the ones it wants.
 */
export const REGISTRY_WEBHOOK_EVENTS = [
  'registered_model.created',
  'model_version.created',
  'model_version_tag.set',
  'model_version_alias.created',
  'model_version_alias.deleted',
] as const;
/** One MLflow registry webhook event name. */
export const RegistryWebhookEvent = z.enum(REGISTRY_WEBHOOK_EVENTS);
export type RegistryWebhookEvent = z.infer<typeof RegistryWebhookEvent>;

/** A webhook's name: a DNS-label-like id, unique in its tenant. */
export const RegistryWebhookName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 of a-z 0-9 _ -, starting with a letter or digit',
  );

/** A subscription as written: where to POST which events, and the secret that signs them. */
export const RegistryWebhookSpec = z
  .object({
    name: RegistryWebhookName,
    url: z
      .string()
      .url()
      .max(2000)
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL'),
    events: z
      .array(RegistryWebhookEvent)
      .min(1, 'at least one event')
      .refine((e) => new Set(e).size === e.length, 'must not repeat an event'),
    /** HMAC-SHA256 key of `X-MLflow-Signature`; read back as `SECRET_MASK`, which written back keeps it. */
    secret: z.string().min(1).max(1000).optional(),
    description: z.string().max(1000).default(''),
  })
  .strict();
export type RegistryWebhookSpec = z.infer<typeof RegistryWebhookSpec>;

/** Commands of the tenant's registry webhooks aggregate (one stream per tenant). */
export const RegistryWebhookCommand = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('SetRegistryWebhook'),
      tenantId: TenantId,
      webhook: RegistryWebhookSpec,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteRegistryWebhook'),
      tenantId: TenantId,
      name: RegistryWebhookName,
    })
    .strict(),
]);
export type RegistryWebhookCommand = z.infer<typeof RegistryWebhookCommand>;

/** Events of the registry webhooks aggregate; past tense, never renamed. */
export type RegistryWebhookEventRecord =
  | { type: 'RegistryWebhookSet'; data: { tenantId: string; webhook: RegistryWebhookSpec } }
  | { type: 'RegistryWebhookDeleted'; data: { tenantId: string; name: string } };

/** A subscription as the control plane keeps it (reads through the gateway mask the secret). */
export interface RegistryWebhookView extends RegistryWebhookSpec {
  tenantId: string;
  updatedAt: string;
}

/** The spec with its secret replaced by `SECRET_MASK`: what every read outside the services shows. */
export function maskRegistryWebhook<T extends RegistryWebhookSpec>(webhook: T): T {
  return webhook.secret === undefined ? webhook : { ...webhook, secret: SECRET_MASK };
}
