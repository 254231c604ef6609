import {
  StrataError,
  type ApiKeyEvent,
  type ApiKeyScope,
  type ControlCommand,
} from '@strata/contracts';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/**
 * Commands of the API key aggregate. Issuing carries what the handler generated outside the pure
 * decider (id, secret hash, clock) and the state of the key's tenant.
 */
export type ApiKeyCommand =
  | (Extract<ControlCommand, { type: 'IssueApiKey' }> & {
      keyId: string;
      secretHash: string;
      now: string;
      tenant: TenantState;
    })
  | Extract<ControlCommand, { type: 'RevokeApiKey' }>;

/** What a key's stream folds to. */
export interface ApiKeyState {
  status: 'none' | 'active' | 'revoked';
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  secretHash: string;
  expiresAt: string | null;
}

function decide(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  switch (command.type) {
    case 'IssueApiKey': {
      if (state.status !== 'none')
        throw new StrataError('already_exists', `API key ${command.keyId} already exists`);
      assertTenantLive(command.tenantId, command.tenant);
      if (command.tenant.status === 'suspended')
        throw new StrataError('tenant_suspended', `tenant ${command.tenantId} is suspended`);
      if (
        command.expiresAt !== undefined &&
        Date.parse(command.expiresAt) <= Date.parse(command.now)
      ) {
        throw new StrataError('validation_failed', 'expiresAt must be in the future', [
          { path: 'command.expiresAt', message: 'must be in the future' },
        ]);
      }
      const { keyId, tenantId, name, scopes, secretHash } = command;
      const expiresAt =
        command.expiresAt === undefined ? null : new Date(command.expiresAt).toISOString();
      return [
        {
          type: 'ApiKeyIssued',
          data: { keyId, tenantId, name, scopes: [...new Set(scopes)], secretHash, expiresAt },
        },
      ];
    }
    case 'RevokeApiKey':
      if (state.status === 'none')
        throw new StrataError('not_found', `API key ${command.keyId} does not exist`);
      return state.status === 'revoked'
        ? []
        : [{ type: 'ApiKeyRevoked', data: { keyId: command.keyId, tenantId: state.tenantId } }];
  }
}

function evolve(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyIssued': {
      const { keyId, tenantId, scopes, secretHash, expiresAt } = event.data;
      return { status: 'active', keyId, tenantId, scopes, secretHash, expiresAt };
    }
    case 'ApiKeyRevoked':
      return { ...state, status: 'revoked' };
  }
}

/** The API key aggregate: issued once, revoked at most once. */
export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  decide,
  evolve,
  initialState: () => ({
    status: 'none',
    keyId: '',
    tenantId: '',
    scopes: [],
    secretHash: '',
    expiresAt: null,
  }),
};
