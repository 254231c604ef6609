import {
  type RegistryWebhookEventRecord,
  type RegistryWebhookSpec,
  SECRET_MASK,
  StrataError,
} from '@strata/contracts';
import {
  registryWebhookDecider as decider,
  type RegistryWebhookCommand,
  type RegistryWebhookState,
} from './registry-webhook.decider';

const live: RegistryWebhookState['tenant'] = { status: 'active', displayName: 'Acme' };
const hook = (extra: Partial<RegistryWebhookSpec> = {}): RegistryWebhookSpec => ({
  name: 'ci',
  url: 'https://ci.example/hook',
  events: ['model_version.created'],
  description: '',
  ...extra,
});
const set = (webhook: RegistryWebhookSpec): RegistryWebhookCommand => ({
  type: 'SetRegistryWebhook',
  tenantId: 'acme',
  webhook,
});

function decide(
  events: RegistryWebhookEventRecord[],
  command: RegistryWebhookCommand,
): RegistryWebhookEventRecord[] {
  return decider.decide(command, {
    ...events.reduce(decider.evolve, decider.initialState()),
    tenant: live,
  });
}

function refusal(run: () => unknown): StrataError {
  try {
    run();
  } catch (error) {
    if (error instanceof StrataError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('registry webhook decider', () => {
  const stored: RegistryWebhookEventRecord = {
    type: 'RegistryWebhookSet',
    data: { tenantId: 'acme', webhook: hook({ secret: 's3cret' }) },
  };

  it('keeps the stored secret when the mask is written back, and records nothing unchanged', () => {
    const masked = hook({ secret: SECRET_MASK, events: ['model_version_alias.created'] });
    expect(decide([stored], set(masked))).toEqual([
      {
        type: 'RegistryWebhookSet',
        data: {
          tenantId: 'acme',
          webhook: hook({ secret: 's3cret', events: ['model_version_alias.created'] }),
        },
      },
    ]);
    expect(decide([stored], set(hook({ secret: SECRET_MASK })))).toEqual([]);
  });

  it('refuses a mask with no stored secret behind it, naming the field', () => {
    const error = refusal(() => decide([], set(hook({ secret: SECRET_MASK }))));
    expect(error.code).toBe('validation_failed');
    expect(error.fields?.map((f) => f.path)).toEqual(['webhook.secret']);
  });

  it('deletes a webhook it has, and answers not_found for one it has not', () => {
    const deleteCi: RegistryWebhookCommand = {
      type: 'DeleteRegistryWebhook',
      tenantId: 'acme',
      name: 'ci',
    };
    expect(decide([stored], deleteCi)).toEqual([
      { type: 'RegistryWebhookDeleted', data: { tenantId: 'acme', name: 'ci' } },
    ]);
    expect(refusal(() => decide([], deleteCi)).code).toBe('not_found');
  });
});
