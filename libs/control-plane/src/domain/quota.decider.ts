import {
  DEFAULT_QUOTA,
  type ControlCommand,
  type QuotaEvent,
  type QuotaSpec,
} from '@strata/contracts';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** The command of the quota aggregate. */
export type QuotaCommand = Extract<ControlCommand, { type: 'SetQuota' }>;

/** A tenant's effective quota, with the tenant's own state, which the handler loads alongside. */
export interface QuotaState {
  quota: QuotaSpec;
  tenant: TenantState;
}

function decide(command: QuotaCommand, state: QuotaState): QuotaEvent[] {
  assertTenantLive(command.tenantId, state.tenant);
  const quota: QuotaSpec = { ...state.quota, ...command.quota };
  const changed = (Object.keys(quota) as Array<keyof QuotaSpec>).filter(
    (k) => quota[k] !== state.quota[k],
  );
  if (changed.length === 0) return [];
  return [{ type: 'QuotaSet', data: { tenantId: command.tenantId, quota, changed } }];
}

function evolve(state: QuotaState, event: QuotaEvent): QuotaState {
  switch (event.type) {
    case 'QuotaSet':
      // Events written before a field existed lack it: the default fills it in.
      return { ...state, quota: { ...DEFAULT_QUOTA, ...event.data.quota } };
  }
}

/** The quota aggregate: patches merged onto the current quota, which starts as DEFAULT_QUOTA. */
export const quotaDecider: Decider<QuotaCommand, QuotaEvent, QuotaState> = {
  decide,
  evolve,
  initialState: () => ({
    quota: { ...DEFAULT_QUOTA },
    tenant: { status: 'none', displayName: '' },
  }),
};
