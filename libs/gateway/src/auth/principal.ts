import { type ApiKeyScope, type CommandContext } from '@strata/contracts';

/** Who is calling: the platform admin, or an API key bound to one tenant. */
export type Principal =
  | { kind: 'platform-admin'; actor: string }
  | { kind: 'api-key'; actor: string; keyId: string; tenantId: string; scopes: ApiKeyScope[] };

/** The authenticated caller of one request, with what every command records about it. */
export interface Caller {
  principal: Principal;
  requestId: string;
  sourceAddress: string;
}

/** The actor name commands record for the platform admin. */
export const PLATFORM_ADMIN_ACTOR = 'platform-admin';

/** The context a command carries to the control plane. */
export function commandContextOf(caller: Caller): CommandContext {
  return {
    actor: caller.principal.actor,
    actorKind: caller.principal.kind,
    sourceAddress: caller.sourceAddress,
    requestId: caller.requestId,
  };
}

/** The tenant a principal is bound to, or null for the platform admin. */
export function boundTenantOf(principal: Principal): string | null {
  return principal.kind === 'api-key' ? principal.tenantId : null;
}
