import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { BusClient, type Bus } from '@strata/bus';
import {
  type ControlEvent,
  type ControlQueryResults,
  type QuotaSpec,
  type RelayedEvent,
  StrataError,
  Subjects,
  type TenantStatus,
  type TenantView,
} from '@strata/contracts';
import { type LabelInjection } from '@strata/remote-write';
import { EventInvalidatedCache } from '@strata/service-kit';
import { type Labels } from '@strata/tsdb';
import { sortedLabels, tenantLabelInjection } from '../write/relabel';

/** A tenant view that may carry the labels added to every series it writes. */
type TenantWithLabels = TenantView & { externalLabels?: Record<string, string> };

/** What the router needs to know about a tenant to admit its writes. */
export interface TenantLimits {
  readonly tenantId: string;
  readonly status: TenantStatus;
  readonly quota: QuotaSpec;
  /** Labels added to every series of the tenant, sorted (empty unless the control plane defines them). */
  readonly externalLabels: Labels;
  /** The tenant label and external labels, encoded once for the decoder to add to every series. */
  readonly injection: LabelInjection;
}

type Entry = { kind: 'known'; limits: TenantLimits } | { kind: 'unknown' };

/** How long a cached answer is trusted without any event; events normally refresh far sooner. */
const KNOWN_TTL_MS = 60_000;
/** Unknown tenants are asked again soon, and at once when a `TenantCreated` event arrives. */
const UNKNOWN_TTL_MS = 5_000;

/**
 * The tenants' status and quotas, fetched from the control plane once per tenant and kept fresh
 * by control-plane events, so writes never wait on Postgres. An event invalidates its tenant;
 * the shared `EventInvalidatedCache` keeps a fetch that raced the event from storing the stale answer.
 */
export class TenantLimitsCache {
  private readonly log = new Logger('TenantLimitsCache');
  private readonly cache: EventInvalidatedCache<string, Entry>;

  constructor(
    private readonly bus: Bus,
    now: () => number = Date.now,
  ) {
    this.cache = new EventInvalidatedCache<string, Entry>({
      fetch: (tenantId) => this.fetch(tenantId),
      ttlMs: (entry) => (entry.kind === 'known' ? KNOWN_TTL_MS : UNKNOWN_TTL_MS),
      now,
      // A stale answer beats refusing writes while the control plane restarts.
      serveStale: (tenantId, error) => {
        this.log.warn(
          `control plane unavailable, using the cached limits of ${tenantId}: ${String(error)}`,
        );
        return true;
      },
    });
  }

  /** The tenant's limits; throws `tenant_unknown`, `tenant_suspended`, or `unavailable` when the control plane cannot answer. */
  async admit(tenantId: string): Promise<TenantLimits> {
    const entry = await this.cache.get(tenantId);
    if (entry.kind === 'unknown' || entry.limits.status === 'deleted') {
      throw new StrataError('tenant_unknown', `tenant ${JSON.stringify(tenantId)} does not exist`);
    }
    if (entry.limits.status === 'suspended')
      throw new StrataError('tenant_suspended', `tenant ${JSON.stringify(tenantId)} is suspended`);
    return entry.limits;
  }

  /** Applies a relayed control-plane event: the tenant it names is fetched again on its next write. */
  onEvent(event: RelayedEvent): void {
    const tenantId = tenantOf(event);
    if (!tenantId) return;
    const type: ControlEvent['type'] = event.type;
    switch (type) {
      case 'TenantCreated':
      case 'TenantRenamed':
      case 'TenantSuspended':
      case 'TenantResumed':
      case 'TenantDeleted':
      case 'QuotaSet':
        this.invalidate(tenantId);
        return;
      case 'ApiKeyIssued':
      case 'ApiKeyRevoked':
      case 'RuleGroupConfigured':
      case 'RuleGroupDeleted':
      case 'EventRuleSetConfigured':
      case 'EventRuleSetDeleted':
      case 'PipelineConfigured':
      case 'PipelineDeleted':
      case 'RegisteredModelCreated':
      case 'RegisteredModelUpdated':
      case 'RegisteredModelTagSet':
      case 'RegisteredModelDeleted':
      case 'ModelVersionCreated':
      case 'ModelVersionTagSet':
      case 'ModelAliasSet':
      case 'ModelAliasDeleted':
      case 'RegisteredModelPermissionSet':
      case 'RegisteredModelPermissionDeleted':
      case 'SeriesDeletionRequested':
      case 'AlertmanagerConfigured':
      case 'AlertmanagerConfigDeleted':
      case 'RegistryWebhookSet':
      case 'RegistryWebhookDeleted':
        return;
    }
  }

  /** Forgets everything, e.g. after the event feed had a gap. */
  invalidateAll(): void {
    this.cache.invalidateAll();
  }

  private invalidate(tenantId: string): void {
    this.cache.invalidate(tenantId);
  }

  private async fetch(tenantId: string): Promise<Entry> {
    // The reply's type follows the query's type, which the subject map cannot express.
    const ask = <T extends 'GetTenant' | 'GetQuota'>(type: T) =>
      new BusClient(this.bus).ask(
        Subjects.controlQuery,
        { query: { type, tenantId }, requestId: `router-${randomUUID()}` },
        { timeoutMs: 3_000 },
      ) as Promise<ControlQueryResults[T]>;
    try {
      const [tenant, quota] = await Promise.all([ask('GetTenant'), ask('GetQuota')]);
      const externalLabels = sortedLabels((tenant as TenantWithLabels).externalLabels);
      return {
        kind: 'known',
        limits: {
          tenantId,
          status: tenant.status,
          quota: quota.quota,
          externalLabels,
          injection: tenantLabelInjection(tenantId, externalLabels),
        },
      };
    } catch (error) {
      if (
        error instanceof StrataError &&
        (error.code === 'not_found' || error.code === 'tenant_unknown')
      )
        return { kind: 'unknown' };
      if (
        error instanceof StrataError &&
        (error.code === 'timeout' || error.code === 'unavailable')
      ) {
        throw new StrataError(
          'unavailable',
          'the control plane did not answer; retry later',
          undefined,
          { cause: error, reason: 'control_plane_unavailable' },
        );
      }
      throw error;
    }
  }
}

function tenantOf(event: RelayedEvent): string | null {
  const data = event.data as { tenantId?: unknown };
  if (typeof data.tenantId === 'string') return data.tenantId;
  return event.metadata.tenantId;
}
