import {
  StrataError,
  type ControlCommand,
  type TenantEvent,
  type TenantStatus,
} from '@strata/contracts';
import { type Decider } from './decider';

/** Commands of the tenant aggregate. */
export type TenantCommand = Extract<
  ControlCommand,
  { type: 'CreateTenant' | 'RenameTenant' | 'SuspendTenant' | 'ResumeTenant' | 'DeleteTenant' }
>;

/** What a tenant's stream folds to; `none` means it never existed. */
export interface TenantState {
  status: TenantStatus | 'none';
  displayName: string;
}

/** Refuses commands on tenants that do not exist or were deleted (a tombstone stays forever). */
export function assertTenantLive(tenantId: string, state: TenantState): void {
  if (state.status === 'none')
    throw new StrataError('not_found', `tenant ${tenantId} does not exist`);
  if (state.status === 'deleted')
    throw new StrataError('not_found', `tenant ${tenantId} was deleted`);
}

function decide(command: TenantCommand, state: TenantState): TenantEvent[] {
  const tenantId = command.tenantId;
  if (command.type === 'CreateTenant') {
    if (state.status === 'deleted')
      throw new StrataError(
        'already_exists',
        `tenant id ${tenantId} belonged to a deleted tenant and cannot be reused`,
      );
    if (state.status !== 'none')
      throw new StrataError('already_exists', `tenant ${tenantId} already exists`);
    return [{ type: 'TenantCreated', data: { tenantId, displayName: command.displayName } }];
  }
  assertTenantLive(tenantId, state);
  switch (command.type) {
    case 'RenameTenant':
      return command.displayName === state.displayName
        ? []
        : [{ type: 'TenantRenamed', data: { tenantId, displayName: command.displayName } }];
    case 'SuspendTenant':
      return state.status === 'suspended'
        ? []
        : [{ type: 'TenantSuspended', data: { tenantId, reason: command.reason ?? null } }];
    case 'ResumeTenant':
      return state.status === 'active' ? [] : [{ type: 'TenantResumed', data: { tenantId } }];
    case 'DeleteTenant':
      return [{ type: 'TenantDeleted', data: { tenantId } }];
  }
}

function evolve(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantCreated':
      return { status: 'active', displayName: event.data.displayName };
    case 'TenantRenamed':
      return { ...state, displayName: event.data.displayName };
    case 'TenantSuspended':
      return { ...state, status: 'suspended' };
    case 'TenantResumed':
      return { ...state, status: 'active' };
    case 'TenantDeleted':
      return { ...state, status: 'deleted' };
  }
}

/** The tenant aggregate: lifecycle create → (rename | suspend | resume)* → deleted tombstone. */
export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none', displayName: '' }),
};
