import { z } from 'zod';

/** Tenant ids go into subjects, label values and bucket prefixes, so they are DNS-label-like. */
export const TenantId = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be 1-63 lowercase letters, digits or dashes, starting and ending alphanumeric',
  );

/** API key ids are server-generated (`key_` + 20 hex chars). */
export const ApiKeyId = z
  .string()
  .regex(/^key_[0-9a-f]{20}$/, 'must be an API key id (key_ followed by 20 hex digits)');

/** Scopes an API key can carry. */
export const ApiKeyScope = z.enum(['read', 'write', 'admin']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;
