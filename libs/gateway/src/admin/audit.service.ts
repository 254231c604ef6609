import { Injectable } from '@nestjs/common';
import {
  type AuditEntry,
  type ChainVerification,
  ControlQuery,
  type ControlPlaneSnapshot,
  type Page,
} from '@strata/contracts';
import { z } from 'zod';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

/**
 * How a tenant's key sees each part of a replayed snapshot. Every key of the snapshot must be
 * listed, so a new aggregate cannot reach another tenant's key by being forgotten here.
 */
const OWN_TENANT_VIEW: {
  [K in keyof ControlPlaneSnapshot]-?: (
    value: NonNullable<ControlPlaneSnapshot[K]>,
    own: string,
  ) => ControlPlaneSnapshot[K];
} = {
  asOfPosition: (v) => v,
  asOfTime: (v) => v,
  tenants: (v, own) => v.filter((t) => t.tenantId === own),
  // Global groups belong to no tenant and are shown to every tenant, as `/api/v1/rules` does.
  ruleGroups: (v, own) => v.filter((g) => !('tenantId' in g.target) || g.target.tenantId === own),
  eventRuleSets: (v, own) => v.filter((s) => s.tenantId === own),
  registeredModels: (v, own) => v.filter((m) => m.tenantId === own),
  registryWebhooks: (v, own) => v.filter((w) => w.tenantId === own),
  pipelines: (v, own) => v.filter((p) => p.tenantId === own),
  seriesDeletions: (v, own) => v.filter((d) => d.tenantId === own),
  alertmanagerConfigs: (v, own) => v.filter((c) => c.tenantId === own),
};

function ownTenantOnly(snapshot: ControlPlaneSnapshot, own: string): ControlPlaneSnapshot {
  const filtered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(snapshot)) {
    const view = OWN_TENANT_VIEW[key as keyof ControlPlaneSnapshot] as
      ((v: unknown, own: string) => unknown) | undefined;
    // A part this table does not know is left out rather than shown whole.
    if (view !== undefined) filtered[key] = value == null ? value : view(value, own);
  }
  return filtered as unknown as ControlPlaneSnapshot;
}

/** Audit filters under their public names (query string and GraphQL). */
export interface AuditFilterParams {
  tenant?: unknown;
  actor?: unknown;
  type?: unknown;
  from?: unknown;
  to?: unknown;
  cursor?: unknown;
  limit?: unknown;
}

const AuditParams = z
  .object({
    tenant: z.string().optional(),
    actor: z.string().optional(),
    type: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    cursor: z.string().optional(),
    limit: z.coerce.number().optional(),
  })
  .strict();

const ReplayParams = z
  .object({ at: z.string().optional(), position: z.coerce.number().optional() })
  .strict();

const PUBLIC_NAMES = { tenantId: 'tenant', eventType: 'type' };

/** The audit trail, replay and chain verification. */
@Injectable()
export class AuditService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** Audit entries; an API key (read scope) sees only its own tenant's entries. */
  async list(caller: Caller, params: AuditFilterParams): Promise<Page<AuditEntry>> {
    const raw = validate(AuditParams, stripEmpty(params), 'query');
    let tenantId = raw.tenant;
    if (caller.principal.kind === 'api-key') {
      tenantId ??= caller.principal.tenantId;
      AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    }
    const query = validate(
      ControlQuery,
      stripEmpty({
        type: 'ListAuditEvents',
        tenantId,
        actor: raw.actor,
        eventType: raw.type,
        from: raw.from,
        to: raw.to,
        cursor: raw.cursor,
        limit: raw.limit,
      }),
      'query',
      { rename: PUBLIC_NAMES },
    );
    return this.controlPlane.query(
      query as Extract<ControlQuery, { type: 'ListAuditEvents' }>,
      caller.requestId,
    );
  }

  /** The control plane as of an instant or position; an API key sees only its own tenant in it. */
  async replay(
    caller: Caller,
    params: { at?: unknown; position?: unknown },
  ): Promise<ControlPlaneSnapshot> {
    const raw = validate(ReplayParams, stripEmpty(params), 'query');
    if (caller.principal.kind === 'api-key')
      AccessPolicy.requireTenant(caller.principal, caller.principal.tenantId, 'read');
    const query = validate(
      ControlQuery,
      stripEmpty({ type: 'ReplayControlPlane', ...raw }),
      'query',
    );
    const snapshot = await this.controlPlane.query(
      query as Extract<ControlQuery, { type: 'ReplayControlPlane' }>,
      caller.requestId,
    );
    if (caller.principal.kind === 'platform-admin') return snapshot;
    return ownTenantOnly(snapshot, caller.principal.tenantId);
  }

  /** Walks the hash chain of the whole event store (platform admin only). */
  async verify(caller: Caller): Promise<ChainVerification> {
    AccessPolicy.requirePlatformAdmin(caller.principal, 'verifying the audit chain');
    return this.controlPlane.query({ type: 'VerifyAuditChain' }, caller.requestId);
  }
}

/**
 * Drops absent and empty parameters (`?tenant=` means no filter), and gives back the `+` of a
 * time zone offset that an unencoded query string turned into a space.
 */
function stripEmpty<T extends object>(params: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [
        k,
        typeof v === 'string' ? v.replace(/^(\d{4}-\d\d-\d\dT[\d:.]+) (\d\d:\d\d)$/, '$1+$2') : v,
      ]),
  ) as Partial<T>;
}
