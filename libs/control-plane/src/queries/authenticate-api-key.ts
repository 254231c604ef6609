import { StrataError, type ApiKeyPrincipal } from '@strata/contracts';
import { keyIdOfSecret, secretFingerprint, verifySecret } from '../domain/api-key-secret';
import { type ControlPlaneCommandHandler } from '../command-handler';

const CACHE_LIMIT = 10_000;

/**
 * Resolves a presented secret: the key id inside it selects one stream, whose fold decides
 * (so a revocation counts from the moment it commits), and scrypt runs once per secret.
 */
export class ApiKeyAuthenticator {
  /** keyId → fingerprint of the secret that already passed scrypt. */
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly streams: ControlPlaneCommandHandler,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal of a valid secret; `unauthorized` for unknown, wrong, revoked or expired keys and deleted tenants. */
  async authenticate(secret: string): Promise<ApiKeyPrincipal> {
    const denied = new StrataError('unauthorized', 'invalid API key');
    const keyId = keyIdOfSecret(secret);
    if (!keyId) throw denied;
    const key = await this.streams.loadApiKey(keyId);
    if (key.status !== 'active') throw denied;
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= this.now()) throw denied;
    const fingerprint = secretFingerprint(secret);
    if (this.verified.get(keyId) !== fingerprint) {
      if (!(await verifySecret(secret, key.secretHash))) throw denied;
      if (this.verified.size >= CACHE_LIMIT)
        this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(keyId, fingerprint);
    }
    const tenant = await this.streams.loadTenant(key.tenantId);
    if (tenant.status === 'none' || tenant.status === 'deleted') throw denied;
    return {
      keyId,
      tenantId: key.tenantId,
      scopes: key.scopes,
      tenantStatus: tenant.status,
      expiresAt: key.expiresAt,
    };
  }
}
