import { Injectable } from '@nestjs/common';
import {
  type ControlCommand,
  ControlCommand as ControlCommandSchema,
  ControlQuery,
  type Page,
  QuotaSpec,
  type QuotaView,
  TenantId,
  type TenantView,
} from '@strata/contracts';
import { z } from 'zod';
import { AccessPolicy } from '../auth/access-policy';
import { AdmissionCache } from '../auth/admission.cache';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { bodyObject, expectedVersionOf, validate } from '../http/validate';
import { readBack } from './read-back';

/** A view with the stream version that backs its ETag. */
export interface Versioned<T> {
  view: T;
  version: number;
}

/** Raw list parameters as they come from a query string or GraphQL arguments. */
export interface ListParams {
  cursor?: unknown;
  limit?: unknown;
  includeDeleted?: unknown;
}

const ListTenantsParams = z
  .object({
    cursor: z.string().optional(),
    limit: z.coerce.number().optional(),
    includeDeleted: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .optional(),
  })
  .strict();

/** Tenants and their quotas: authorization, validation at the edge, then one control-plane call. */
@Injectable()
export class TenantAdminService {
  constructor(
    private readonly controlPlane: ControlPlaneClient,
    private readonly admissionCache: AdmissionCache,
  ) {}

  /** Lists tenants; an API key sees only its own. */
  async list(caller: Caller, params: ListParams): Promise<Page<TenantView>> {
    const raw = validate(ListTenantsParams, params, 'query');
    const query = validate(ControlQuery, { type: 'ListTenants', ...raw }, 'query');
    if (caller.principal.kind === 'api-key') {
      AccessPolicy.requireTenant(caller.principal, caller.principal.tenantId, 'read');
      return { items: [await this.fetch(caller, caller.principal.tenantId)], nextCursor: null };
    }
    return this.controlPlane.query(
      query as Extract<ControlQuery, { type: 'ListTenants' }>,
      caller.requestId,
    );
  }

  /** One tenant. */
  async get(caller: Caller, tenantId: string): Promise<Versioned<TenantView>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    const id = tenantIdOf(tenantId);
    const view = await this.fetch(caller, id);
    return { view, version: view.version };
  }

  /** Creates a tenant (platform admin only). */
  async create(caller: Caller, body: unknown): Promise<Versioned<TenantView>> {
    AccessPolicy.requirePlatformAdmin(caller.principal, 'creating a tenant');
    const command = this.command({ ...bodyObject(body, ['type']), type: 'CreateTenant' });
    return this.send(caller, command, command.type === 'CreateTenant' ? command.tenantId : '');
  }

  /** Renames a tenant (its admin key or the platform admin). */
  async rename(
    caller: Caller,
    tenantId: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<Versioned<TenantView>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'admin');
    const fields = bodyObject(body, ['type', 'tenantId']);
    const command = this.command({
      ...fields,
      type: 'RenameTenant',
      tenantId,
      expectedVersion: expectedVersionOf(ifMatch, fields),
    });
    return this.send(caller, command, tenantId);
  }

  /** Suspends, resumes or deletes a tenant (platform admin only). */
  async lifecycle(
    caller: Caller,
    type: 'SuspendTenant' | 'ResumeTenant' | 'DeleteTenant',
    tenantId: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<Versioned<TenantView>> {
    AccessPolicy.requirePlatformAdmin(caller.principal, `${type} of a tenant`);
    const fields = bodyObject(body, ['type', 'tenantId']);
    const command = this.command({
      ...fields,
      type,
      tenantId,
      expectedVersion: expectedVersionOf(ifMatch, fields),
    });
    return this.send(caller, command, tenantId);
  }

  /** A tenant's effective quota. */
  async getQuota(caller: Caller, tenantId: string): Promise<Versioned<QuotaView>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    const id = tenantIdOf(tenantId);
    const view = await this.controlPlane.query(
      { type: 'GetQuota', tenantId: id },
      caller.requestId,
    );
    return { view, version: view.version };
  }

  /** Changes quota fields (`patch`) or replaces the whole quota (`replace`); platform admin only. */
  async setQuota(
    caller: Caller,
    tenantId: string,
    body: unknown,
    mode: 'patch' | 'replace',
    ifMatch?: string,
  ): Promise<Versioned<QuotaView>> {
    AccessPolicy.requirePlatformAdmin(caller.principal, 'setting a quota');
    const fields = bodyObject(body, []);
    const { expectedVersion: _ignored, ...quota } = fields;
    if (mode === 'replace') validate(QuotaSpec, quota, 'quota');
    const command = this.command(
      { type: 'SetQuota', tenantId, quota, expectedVersion: expectedVersionOf(ifMatch, fields) },
      'quota',
    );
    const accepted = await this.controlPlane.command(command, commandContextOf(caller));
    const view = await readBack(
      () => this.controlPlane.query({ type: 'GetQuota', tenantId }, caller.requestId),
      accepted.version,
    );
    return { view, version: accepted.version };
  }

  private command(input: Record<string, unknown>, stripPrefix?: string): ControlCommand {
    const withoutUndefined = Object.fromEntries(
      Object.entries(input).filter(([, v]) => v !== undefined),
    );
    return validate(ControlCommandSchema, withoutUndefined, 'request', { stripPrefix });
  }

  private async send(
    caller: Caller,
    command: ControlCommand,
    tenantId: string,
  ): Promise<Versioned<TenantView>> {
    const accepted = await this.controlPlane.command(command, commandContextOf(caller));
    // This gateway acts on a suspension at once; the others follow the event.
    this.admissionCache.forgetTenant(tenantId);
    const view = await readBack(() => this.fetch(caller, tenantId), accepted.version);
    return { view, version: accepted.version };
  }

  private fetch(caller: Caller, tenantId: string): Promise<TenantView> {
    return this.controlPlane.query({ type: 'GetTenant', tenantId }, caller.requestId);
  }
}

/** Validates a tenant id taken from a path or an argument. */
export function tenantIdOf(value: unknown): string {
  return validate(z.object({ tenantId: TenantId }), { tenantId: value }, 'tenant id').tenantId;
}
