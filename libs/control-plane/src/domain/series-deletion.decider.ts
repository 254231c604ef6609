import {
  StrataError,
  type ControlCommand,
  type SeriesDeletionEvent,
  type SeriesDeletionSpec,
} from '@strata/contracts';
import { type Decider } from './decider';
import { type TenantState } from './tenant.decider';

/** Commands of the series deletion aggregate. */
export type SeriesDeletionCommand = Extract<ControlCommand, { type: 'RequestSeriesDeletion' }>;

/** The request recorded on this stream (null: none yet), with the tenant's state the handler loads. */
export interface SeriesDeletionState {
  request: SeriesDeletionSpec | null;
  tenant: TenantState;
}

function decide(command: SeriesDeletionCommand, state: SeriesDeletionState): SeriesDeletionEvent[] {
  const { type: _type, ...spec } = command;
  // A deleted tenant's leftover samples may still have to be erased, so only an unknown one is refused.
  if (state.tenant.status === 'none')
    throw new StrataError('not_found', `tenant ${spec.tenantId} does not exist`);
  if (spec.maxTime < spec.minTime)
    throw new StrataError('validation_failed', 'end timestamp must not be before start time', [
      { path: 'maxTime', message: 'before minTime' },
    ]);
  if (state.request !== null) {
    // The same request again (a retry after a lost reply or a failed tombstone write) records nothing new.
    if (JSON.stringify(state.request) === JSON.stringify(spec)) return [];
    throw new StrataError(
      'already_exists',
      `series deletion ${spec.requestId} of tenant ${spec.tenantId} was recorded with other matchers or times`,
    );
  }
  return [{ type: 'SeriesDeletionRequested', data: spec }];
}

function evolve(state: SeriesDeletionState, event: SeriesDeletionEvent): SeriesDeletionState {
  return { ...state, request: event.data };
}

/** The series deletion aggregate: the audited record of who asked to delete which samples. */
export const seriesDeletionDecider: Decider<
  SeriesDeletionCommand,
  SeriesDeletionEvent,
  SeriesDeletionState
> = {
  decide,
  evolve,
  initialState: () => ({ request: null, tenant: { status: 'none', displayName: '' } }),
};
