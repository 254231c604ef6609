import {
  type ControlCommand,
  type RegistryWebhookEventRecord,
  type RegistryWebhookSpec,
  SECRET_MASK,
  StrataError,
} from '@strata/contracts';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** Commands of the registry webhooks aggregate. */
export type RegistryWebhookCommand = Extract<
  ControlCommand,
  { type: 'SetRegistryWebhook' | 'DeleteRegistryWebhook' }
>;

/** The tenant's webhooks by name, and its tenant's state. */
export interface RegistryWebhookState {
  webhooks: Map<string, RegistryWebhookSpec>;
  tenant: TenantState | null;
}

const same = (a: RegistryWebhookSpec, b: RegistryWebhookSpec): boolean =>
  a.url === b.url &&
  a.secret === b.secret &&
  a.description === b.description &&
  a.events.join() === b.events.join();

/**
 * A tenant's registry webhook subscriptions: set (create or replace) by name and deleted. A
 * secret written back as the mask keeps the stored one, as the other masked credentials do.
 */
export const registryWebhookDecider: Decider<
  RegistryWebhookCommand,
  RegistryWebhookEventRecord,
  RegistryWebhookState
> = {
  decide(command, state) {
    assertTenantLive(command.tenantId, state.tenant ?? { status: 'none', displayName: '' });
    if (command.type === 'DeleteRegistryWebhook') {
      if (!state.webhooks.has(command.name))
        throw new StrataError(
          'not_found',
          `registry webhook ${JSON.stringify(command.name)} does not exist`,
        );
      return [
        {
          type: 'RegistryWebhookDeleted',
          data: { tenantId: command.tenantId, name: command.name },
        },
      ];
    }
    const stored = state.webhooks.get(command.webhook.name);
    let webhook = command.webhook;
    if (webhook.secret === SECRET_MASK) {
      if (stored?.secret === undefined)
        throw new StrataError(
          'validation_failed',
          `invalid registry webhook ${JSON.stringify(webhook.name)}: a masked secret with no stored value`,
          [
            {
              path: 'webhook.secret',
              message: 'the mask stands for a stored secret, and none is stored here',
            },
          ],
        );
      webhook = { ...webhook, secret: stored.secret };
    }
    if (stored !== undefined && same(stored, webhook)) return [];
    return [{ type: 'RegistryWebhookSet', data: { tenantId: command.tenantId, webhook } }];
  },
  evolve(state, event) {
    const webhooks = new Map(state.webhooks);
    if (event.type === 'RegistryWebhookSet')
      webhooks.set(event.data.webhook.name, event.data.webhook);
    else webhooks.delete(event.data.name);
    return { ...state, webhooks };
  },
  initialState: () => ({ webhooks: new Map(), tenant: null }),
};
