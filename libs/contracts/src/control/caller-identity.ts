import { type ApiKeyScope } from './ids';

/**
 * `GET /api/v1/whoami`: who the credential is, answered for any valid credential whatever its
 * scopes, so a client (the console's sign-in) learns a key's tenant and what it may do.
 */
export type CallerIdentity =
  | { kind: 'platform-admin' }
  | { kind: 'api-key'; tenantId: string; keyId: string; scopes: ApiKeyScope[] };
