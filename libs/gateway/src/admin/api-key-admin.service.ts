import { Injectable } from '@nestjs/common';
import {
  ApiKeyId,
  type ApiKeyView,
  ControlCommand,
  ControlQuery,
  type Page,
} from '@strata/contracts';
import { z } from 'zod';
import { AccessPolicy } from '../auth/access-policy';
import { AdmissionCache } from '../auth/admission.cache';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { bodyObject, expectedVersionOf, validate } from '../http/validate';
import { readBack } from './read-back';
import { type ListParams, type Versioned } from './tenant-admin.service';

/** A freshly issued key: the only time its secret is ever shown. */
export interface IssuedApiKey {
  key: ApiKeyView;
  secret: string;
}

const PageParams = z
  .object({ cursor: z.string().optional(), limit: z.coerce.number().optional() })
  .strict();

/** API keys of a tenant: issue (secret shown once), list, read, revoke. */
@Injectable()
export class ApiKeyAdminService {
  constructor(
    private readonly controlPlane: ControlPlaneClient,
    private readonly admissionCache: AdmissionCache,
  ) {}

  /** Issues a key for a tenant (its admin key or the platform admin). */
  async issue(caller: Caller, tenantId: string, body: unknown): Promise<Versioned<IssuedApiKey>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'admin');
    const command = validate(
      ControlCommand,
      { ...bodyObject(body, ['type', 'tenantId']), type: 'IssueApiKey', tenantId },
      'request',
    );
    const accepted = await this.controlPlane.command(command, commandContextOf(caller));
    if (!accepted.apiKey)
      throw new Error('the control plane accepted IssueApiKey without returning the key');
    const { keyId, secret } = accepted.apiKey;
    const key = await readBack(
      () => this.controlPlane.query({ type: 'GetApiKey', keyId }, caller.requestId),
      accepted.version,
    );
    return { view: { key, secret }, version: accepted.version };
  }

  /** Lists a tenant's keys, without secrets. */
  async list(caller: Caller, tenantId: string, params: ListParams): Promise<Page<ApiKeyView>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    const raw = validate(PageParams, params, 'query');
    const query = validate(ControlQuery, { type: 'ListApiKeys', tenantId, ...raw }, 'query');
    return this.controlPlane.query(
      query as Extract<ControlQuery, { type: 'ListApiKeys' }>,
      caller.requestId,
    );
  }

  /** One key, without its secret. */
  async get(caller: Caller, keyId: string): Promise<Versioned<ApiKeyView>> {
    const key = await this.owned(caller, keyId, 'read');
    return { view: key, version: key.version };
  }

  /**
   * Revokes a key: this gateway refuses it from the next request on, the others once the
   * `ApiKeyRevoked` event reaches them.
   */
  async revoke(
    caller: Caller,
    keyId: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<Versioned<ApiKeyView>> {
    await this.owned(caller, keyId, 'admin');
    const fields = bodyObject(body, ['type', 'keyId']);
    const command = validate(
      ControlCommand,
      stripUndefined({
        ...fields,
        type: 'RevokeApiKey',
        keyId,
        expectedVersion: expectedVersionOf(ifMatch, fields),
      }),
      'request',
    );
    const accepted = await this.controlPlane.command(command, commandContextOf(caller));
    this.admissionCache.forgetKey(keyId);
    const key = await readBack(
      () => this.controlPlane.query({ type: 'GetApiKey', keyId }, caller.requestId),
      accepted.version,
    );
    return { view: key, version: accepted.version };
  }

  /** Loads a key and checks that the caller may act on its tenant. */
  private async owned(caller: Caller, keyId: string, scope: 'read' | 'admin'): Promise<ApiKeyView> {
    const id = validate(z.object({ keyId: ApiKeyId }), { keyId }, 'key id').keyId;
    // Scope first, so a key without it learns nothing about other keys.
    if (caller.principal.kind === 'api-key')
      AccessPolicy.requireTenant(caller.principal, caller.principal.tenantId, scope);
    const key = await this.controlPlane.query({ type: 'GetApiKey', keyId: id }, caller.requestId);
    AccessPolicy.requireTenant(caller.principal, key.tenantId, scope);
    return key;
  }
}

function stripUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
