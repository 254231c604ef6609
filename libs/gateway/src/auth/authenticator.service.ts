import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { StrataError } from '@strata/contracts';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { AdmissionCache } from './admission.cache';
import { parseAuthorization, unauthorized } from './credentials';
import { PLATFORM_ADMIN_ACTOR, type Principal } from './principal';

/** The Basic user name that, with the admin token as password, means the platform admin. */
export const ADMIN_USER = 'admin';

/**
 * Turns an `Authorization` header into a principal. API keys are resolved by the control plane
 * once and then served from the gateway's `AdmissionCache` (keyed by the secret's sha256), which
 * control-plane events invalidate: a revoked key, or one of a suspended or deleted tenant, is
 * refused by every gateway replica within the event's propagation (typically milliseconds), by
 * the replica that revoked it from the next request on, and at most after the cache's TTL
 * (30 s by default) if events are lost. Refusals are never cached.
 */
@Injectable()
export class Authenticator {
  private readonly adminDigest: Buffer;

  constructor(
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    private readonly admissionCache: AdmissionCache,
  ) {
    this.adminDigest = digest(options.config.adminToken);
  }

  /** Resolves the caller or throws `unauthorized`, `tenant_suspended` or `tenant_unknown`. */
  async authenticate(authorization: string | undefined, requestId: string): Promise<Principal> {
    const credentials = parseAuthorization(authorization);
    if (!credentials)
      throw unauthorized('credentials required: Authorization: Bearer <secret> or Basic');
    const isAdminSecret = timingSafeEqual(digest(credentials.secret), this.adminDigest);
    if (isAdminSecret && (credentials.scheme === 'bearer' || credentials.user === ADMIN_USER)) {
      return { kind: 'platform-admin', actor: PLATFORM_ADMIN_ACTOR };
    }
    if (credentials.secret.length > 200) throw unauthorized('invalid credentials');
    const key = await this.admissionCache.authenticateKey(credentials.secret, requestId);
    // A Basic user that names a key id must name this key; any other user name is ignored.
    if (credentials.user?.startsWith('key_') && credentials.user !== key.keyId)
      throw unauthorized('invalid credentials');
    switch (key.tenantStatus) {
      case 'active':
        break;
      case 'suspended':
        throw new StrataError('tenant_suspended', `tenant ${key.tenantId} is suspended`);
      case 'deleted':
        throw new StrataError('tenant_unknown', `tenant ${key.tenantId} does not exist`);
    }
    return {
      kind: 'api-key',
      actor: key.keyId,
      keyId: key.keyId,
      tenantId: key.tenantId,
      scopes: key.scopes,
    };
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
