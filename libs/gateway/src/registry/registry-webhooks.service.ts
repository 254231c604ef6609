import { Injectable } from '@nestjs/common';
import {
  maskRegistryWebhook,
  RegistryWebhookName,
  RegistryWebhookSpec,
  type RegistryWebhookView,
  StrataError,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

const WebhookBody = RegistryWebhookSpec.omit({ name: true });

/**
 * A tenant's registry webhook subscriptions for REST and GraphQL alike. Secrets are never read
 * back: every answer shows the mask, which written back keeps the stored secret.
 */
@Injectable()
export class RegistryWebhooksService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** The tenant's webhooks in name order, secrets masked. */
  async list(
    caller: Caller,
    tenantId: string,
    scope: 'read' | 'write' = 'read',
  ): Promise<RegistryWebhookView[]> {
    AccessPolicy.requireTenant(caller.principal, tenantId, scope);
    const webhooks = await this.controlPlane.query(
      { type: 'ListRegistryWebhooks', tenantId },
      caller.requestId,
    );
    return webhooks.map(maskRegistryWebhook);
  }

  /** One webhook, its secret masked (`write`: the answer to a change, masked as every read). */
  async get(
    caller: Caller,
    tenantId: string,
    name: string,
    scope: 'read' | 'write' = 'read',
  ): Promise<RegistryWebhookView> {
    const valid = validate(RegistryWebhookName, name, 'name');
    const found = (await this.list(caller, tenantId, scope)).find((w) => w.name === valid);
    if (!found)
      throw new StrataError('not_found', `registry webhook ${JSON.stringify(name)} does not exist`);
    return found;
  }

  /** Creates or replaces the webhook `name` from an untrusted body (url, events, secret, description). */
  async set(
    caller: Caller,
    tenantId: string,
    name: string,
    body: unknown,
  ): Promise<RegistryWebhookView> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'write');
    const webhook = {
      name: validate(RegistryWebhookName, name, 'name'),
      ...validate(WebhookBody, body, 'registry webhook'),
    };
    await this.controlPlane.command(
      { type: 'SetRegistryWebhook', tenantId, webhook },
      commandContextOf(caller),
    );
    return this.get(caller, tenantId, webhook.name, 'write');
  }

  /** Deletes the webhook `name`. */
  async remove(caller: Caller, tenantId: string, name: string): Promise<void> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'write');
    await this.controlPlane.command(
      {
        type: 'DeleteRegistryWebhook',
        tenantId,
        name: validate(RegistryWebhookName, name, 'name'),
      },
      commandContextOf(caller),
    );
  }
}
