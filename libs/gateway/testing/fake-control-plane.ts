import { randomBytes } from 'node:crypto';
import {
  type ApiKeyView,
  type AuditEntry,
  type CommandAccepted,
  type CommandContext,
  type ControlCommand,
  type ControlPlaneSnapshot,
  type ControlQuery,
  type ControlQueryResults,
  DEFAULT_QUOTA,
  type QuotaView,
  type ServiceHealth,
  StrataError,
  type TenantView,
} from '@strata/contracts';
import { ControlPlaneClient, type QueryOf } from '../src/control-plane/control-plane.client';

interface State {
  tenants: Map<string, TenantView>;
  quotas: Map<string, QuotaView>;
  keys: Map<string, ApiKeyView & { secret: string }>;
}

/**
 * An in-memory control plane for the gateway's unit specs: it follows the contracts closely
 * enough to exercise the edge, and records every command it receives.
 */
export class FakeControlPlane extends ControlPlaneClient {
  readonly commands: Array<{ command: ControlCommand; context: CommandContext }> = [];
  readonly queries: ControlQuery[] = [];
  private state: State = { tenants: new Map(), quotas: new Map(), keys: new Map() };
  private readonly audit: AuditEntry[] = [];
  private readonly snapshots: ControlPlaneSnapshot[] = [];
  healthy = true;
  now: () => Date = () => new Date();

  async command(command: ControlCommand, context: CommandContext): Promise<CommandAccepted> {
    this.commands.push({ command, context });
    const time = this.now().toISOString();
    const s = this.state;
    const check = (version: number, expected: number | undefined): void => {
      if (expected !== undefined && expected !== version)
        throw new StrataError('version_conflict', `expected ${expected}, at ${version}`);
    };
    const tenant = (id: string): TenantView => {
      const t = s.tenants.get(id);
      if (!t || t.status === 'deleted') throw new StrataError('not_found', `no tenant ${id}`);
      return t;
    };
    let streamId: string;
    let version: number;
    let apiKey: CommandAccepted['apiKey'];
    let tenantId: string | null;
    switch (command.type) {
      case 'CreateTenant': {
        if (s.tenants.has(command.tenantId))
          throw new StrataError('already_exists', `tenant ${command.tenantId} exists`);
        s.tenants.set(command.tenantId, {
          tenantId: command.tenantId,
          displayName: command.displayName,
          status: 'active',
          suspendedReason: null,
          version: 1,
          createdAt: time,
          updatedAt: time,
        });
        s.quotas.set(command.tenantId, {
          tenantId: command.tenantId,
          quota: { ...DEFAULT_QUOTA },
          version: 0,
          updatedAt: time,
        });
        [streamId, version, tenantId] = [`tenant-${command.tenantId}`, 1, command.tenantId];
        break;
      }
      case 'RenameTenant':
      case 'SuspendTenant':
      case 'ResumeTenant':
      case 'DeleteTenant': {
        const t = tenant(command.tenantId);
        check(t.version, command.expectedVersion);
        const next: TenantView = { ...t, version: t.version + 1, updatedAt: time };
        if (command.type === 'RenameTenant') next.displayName = command.displayName;
        if (command.type === 'SuspendTenant')
          Object.assign(next, { status: 'suspended', suspendedReason: command.reason ?? null });
        if (command.type === 'ResumeTenant')
          Object.assign(next, { status: 'active', suspendedReason: null });
        if (command.type === 'DeleteTenant') next.status = 'deleted';
        s.tenants.set(t.tenantId, next);
        [streamId, version, tenantId] = [`tenant-${t.tenantId}`, next.version, t.tenantId];
        break;
      }
      case 'SetQuota': {
        tenant(command.tenantId);
        const q = s.quotas.get(command.tenantId) ?? this.missing('quota');
        check(q.version, command.expectedVersion);
        const next = {
          ...q,
          quota: { ...q.quota, ...command.quota },
          version: q.version + 1,
          updatedAt: time,
        };
        s.quotas.set(command.tenantId, next);
        [streamId, version, tenantId] = [
          `quota-${command.tenantId}`,
          next.version,
          command.tenantId,
        ];
        break;
      }
      case 'IssueApiKey': {
        tenant(command.tenantId);
        const keyId = `key_${randomBytes(10).toString('hex')}`;
        const secret = `strata_${randomBytes(16).toString('hex')}`;
        s.keys.set(keyId, {
          keyId,
          secret,
          tenantId: command.tenantId,
          name: command.name,
          scopes: command.scopes,
          status: 'active',
          expiresAt: command.expiresAt ?? null,
          createdAt: time,
          revokedAt: null,
          version: 1,
        });
        apiKey = { keyId, secret };
        [streamId, version, tenantId] = [`apikey-${keyId}`, 1, command.tenantId];
        break;
      }
      case 'RevokeApiKey': {
        const k = s.keys.get(command.keyId);
        if (!k) throw new StrataError('not_found', `no key ${command.keyId}`);
        check(k.version, command.expectedVersion);
        s.keys.set(k.keyId, { ...k, status: 'revoked', revokedAt: time, version: k.version + 1 });
        [streamId, version, tenantId] = [`apikey-${k.keyId}`, k.version + 1, k.tenantId];
        break;
      }
      case 'ConfigureRuleGroup':
      case 'DeleteRuleGroup':
      case 'ConfigureEventRuleSet':
      case 'DeleteEventRuleSet':
      case 'CreateRegisteredModel':
      case 'UpdateRegisteredModel':
      case 'SetRegisteredModelTag':
      case 'DeleteRegisteredModel':
      case 'CreateModelVersion':
      case 'SetModelVersionTag':
      case 'SetModelAlias':
      case 'DeleteModelAlias':
      case 'SetRegisteredModelPermission':
      case 'DeleteRegisteredModelPermission':
      case 'SetRegistryWebhook':
      case 'DeleteRegistryWebhook':
        // These aggregates are validated by libraries inside the real control plane; specs of them use it.
        return this.missing('support for this aggregate in the fake control plane');
      case 'ConfigureAlertmanager':
      case 'DeleteAlertmanagerConfig':
        return this.missing('Alertmanager configuration support in the fake control plane');
      case 'ConfigurePipeline':
      case 'DeletePipeline':
        // Pipelines are compiled by the logpipeline library inside the real control plane; specs of them use it.
        return this.missing('log pipeline support in the fake control plane');
      case 'RequestSeriesDeletion':
        tenant(command.tenantId);
        [streamId, version, tenantId] = [
          `seriesdeletion-${command.tenantId}.${command.requestId}`,
          1,
          command.tenantId,
        ];
        break;
    }
    const position = this.audit.length + 1;
    const { type: _type, ...data } = command;
    this.audit.push({
      position,
      streamId,
      version,
      type: command.type,
      data,
      tenantId,
      actor: context.actor,
      actorKind: context.actorKind,
      sourceAddress: context.sourceAddress,
      requestId: context.requestId,
      recordedAt: time,
      hash: `h${position}`,
    });
    this.snapshots.push(this.snapshot(position, time));
    this.state = structuredClone(this.state);
    return { streamId, version, positions: [position], ...(apiKey ? { apiKey } : {}) };
  }

  async query<T extends ControlQuery['type']>(
    query: QueryOf<T>,
    _requestId: string,
  ): Promise<ControlQueryResults[T]> {
    this.queries.push(query);
    return this.answer(query as ControlQuery) as ControlQueryResults[T];
  }

  async health(): Promise<ServiceHealth> {
    if (!this.healthy) throw new StrataError('unavailable', 'no control plane answered');
    return { service: 'control-plane', instanceId: 'fake', status: 'ok', checks: {} };
  }

  private answer(q: ControlQuery): ControlQueryResults[ControlQuery['type']] {
    const s = this.state;
    const found = <V>(v: V | undefined, what: string): V => {
      if (v === undefined) throw new StrataError('not_found', `no ${what}`);
      return v;
    };
    const page = <V>(items: V[], cursor: string | undefined, limit: number) => {
      const start = Number(cursor ?? 0);
      return {
        items: items.slice(start, start + limit),
        nextCursor: start + limit < items.length ? String(start + limit) : null,
      };
    };
    switch (q.type) {
      case 'GetTenant':
        return found(s.tenants.get(q.tenantId), `tenant ${q.tenantId}`);
      case 'ListTenants':
        return page(
          [...s.tenants.values()].filter((t) => q.includeDeleted || t.status !== 'deleted'),
          q.cursor,
          q.limit,
        );
      case 'GetQuota':
        return found(s.quotas.get(q.tenantId), `quota of ${q.tenantId}`);
      case 'ListApiKeys':
        return page(
          [...s.keys.values()].filter((k) => k.tenantId === q.tenantId).map(withoutSecret),
          q.cursor,
          q.limit,
        );
      case 'GetApiKey':
        return withoutSecret(found(s.keys.get(q.keyId), `key ${q.keyId}`));
      case 'AuthenticateApiKey': {
        const key = [...s.keys.values()].find(
          (k) => k.secret === q.secret && k.status === 'active',
        );
        if (!key) throw new StrataError('unauthorized', 'unknown or revoked key');
        return {
          keyId: key.keyId,
          tenantId: key.tenantId,
          scopes: key.scopes,
          tenantStatus: s.tenants.get(key.tenantId)?.status ?? 'deleted',
        };
      }
      case 'ListAuditEvents': {
        const items = this.audit.filter(
          (e) =>
            (q.tenantId === undefined || e.tenantId === q.tenantId) &&
            (q.actor === undefined || e.actor === q.actor) &&
            (q.eventType === undefined || e.type === q.eventType) &&
            (q.from === undefined || e.recordedAt >= q.from) &&
            (q.to === undefined || e.recordedAt < q.to),
        );
        return page(items, q.cursor, q.limit);
      }
      case 'ReplayControlPlane': {
        const upTo =
          q.position ??
          this.audit.filter((e) => Date.parse(e.recordedAt) <= Date.parse(q.at ?? '')).length;
        return (
          this.snapshots[Math.min(upTo, this.snapshots.length) - 1] ?? {
            asOfPosition: 0,
            asOfTime: null,
            tenants: [],
          }
        );
      }
      case 'VerifyAuditChain':
        return {
          ok: true,
          checkedEvents: this.audit.length,
          lastPosition: this.audit.length,
          brokenAt: null,
          reason: null,
        };
      case 'GetRuleGroup':
      case 'ListRuleGroups':
      case 'GetEventRuleSet':
      case 'ListEventRuleSets':
      case 'GetRegisteredModel':
      case 'SearchRegisteredModels':
      case 'ListRegistryWebhooks':
        return this.missing('support for this aggregate in the fake control plane');
      case 'ListModelPermissions':
        // The fake holds no registered models, so none carries a grant.
        return [];
      case 'GetAlertmanagerConfig':
        return this.missing('Alertmanager configuration support in the fake control plane');
      case 'GetPipeline':
      case 'ListPipelines':
        return this.missing('log pipeline support in the fake control plane');
    }
  }

  private missing(what: string): never {
    throw new StrataError('not_found', `no ${what}`);
  }

  private snapshot(position: number, time: string): ControlPlaneSnapshot {
    const s = this.state;
    return {
      asOfPosition: position,
      asOfTime: time,
      tenants: [...s.tenants.values()].map((t) => ({
        ...t,
        quota: { ...(s.quotas.get(t.tenantId) ?? this.missing('quota')).quota },
        apiKeys: [...s.keys.values()].filter((k) => k.tenantId === t.tenantId).map(withoutSecret),
      })),
      ruleGroups: [],
      eventRuleSets: [],
      pipelines: [],
      alertmanagerConfigs: [],
    };
  }
}

function withoutSecret(key: ApiKeyView & { secret?: string }): ApiKeyView {
  const { secret: _secret, ...view } = key;
  return view;
}
