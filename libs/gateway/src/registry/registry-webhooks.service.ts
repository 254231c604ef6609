import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@strata/bus';
import {
  maskRegistryWebhook,
  ModelsSubjects,
  type RegistryWebhookDelivery,
  type RegistryWebhookTestResult,
  RegistryWebhookName,
  RegistryWebhookSpec,
  type RegistryWebhookView,
  StrataError,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { validate } from '../http/validate';
import { isPrivateAddress, literalAddressOf } from '@strata/service-kit';

/** A test POST may wait for the receiver up to the service's 10 s limit. */
const TEST_TIMEOUT_MS = 20_000;

const WebhookBody = RegistryWebhookSpec.omit({ name: true });

/**
 * A tenant's registry webhook subscriptions for REST and GraphQL alike. Secrets are never read
 * back: every answer shows the mask, which written back keeps the stored secret.
 */
@Injectable()
export class RegistryWebhooksService {
  private readonly client: BusClient;
  private readonly allowPrivate: boolean;

  constructor(
    private readonly controlPlane: ControlPlaneClient,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
    this.allowPrivate = options.config.allowPrivateWebhookAddresses ?? false;
  }

  /** MLflow's webhook test: one signed sample POST by the model-registry service, and how it went. */
  async test(
    caller: Caller,
    tenantId: string,
    name: string,
    event: string | undefined,
  ): Promise<RegistryWebhookTestResult> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'write');
    const valid = validate(RegistryWebhookName, name, 'name');
    return this.client.ask(
      ModelsSubjects.testWebhook,
      { tenantId, name: valid, ...(event === undefined ? {} : { event }) },
      { timeoutMs: TEST_TIMEOUT_MS },
    );
  }

  /** The webhook's last deliveries, newest first (status, attempts, delivery id, time). */
  async deliveries(
    caller: Caller,
    tenantId: string,
    name: string,
  ): Promise<RegistryWebhookDelivery[]> {
    await this.get(caller, tenantId, name);
    return this.client.ask(ModelsSubjects.webhookDeliveries, { tenantId, name });
  }

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
    const literal = literalAddressOf(new URL(webhook.url));
    // Names are resolved when each delivery connects; an address in the URL is refused now.
    if (
      !this.allowPrivate &&
      (literal === null ? isLocalName(webhook.url) : isPrivateAddress(literal))
    )
      throw new StrataError(
        'validation_failed',
        `invalid registry webhook ${JSON.stringify(webhook.name)}`,
        [
          {
            path: 'url',
            message:
              'names a private, loopback or link-local address, refused unless STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is true',
          },
        ],
      );
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

/** `localhost` and its subdomains always resolve to loopback (RFC 6761). */
function isLocalName(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}
