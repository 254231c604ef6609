import { StrataError, type SeriesDeletionEvent } from '@strata/contracts';
import {
  seriesDeletionDecider,
  type SeriesDeletionCommand,
  type SeriesDeletionState,
} from './series-deletion.decider';
import { type TenantState } from './tenant.decider';

const request: SeriesDeletionCommand = {
  type: 'RequestSeriesDeletion',
  tenantId: 'acme',
  requestId: '01JQ0000000000000000000000',
  selectors: ['logins_total{user="alice"}'],
  minTime: 1_000,
  maxTime: 2_000,
};

function state(
  tenant: TenantState['status'],
  events: SeriesDeletionEvent[] = [],
): SeriesDeletionState {
  return {
    ...events.reduce(seriesDeletionDecider.evolve, seriesDeletionDecider.initialState()),
    tenant: { status: tenant, displayName: 'Acme' },
  };
}

function refusal(run: () => unknown): StrataError {
  try {
    run();
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('series deletion decider', () => {
  const { type: _type, ...data } = request;
  const recorded: SeriesDeletionEvent = { type: 'SeriesDeletionRequested', data };

  it('records a request of a live, suspended or deleted tenant', () => {
    for (const status of ['active', 'suspended', 'deleted'] as const)
      expect(seriesDeletionDecider.decide(request, state(status))).toEqual([recorded]);
  });

  it('refuses an unknown tenant and a reversed range', () => {
    expect(refusal(() => seriesDeletionDecider.decide(request, state('none'))).code).toBe(
      'not_found',
    );
    expect(
      refusal(() => seriesDeletionDecider.decide({ ...request, minTime: 3_000 }, state('active')))
        .code,
    ).toBe('validation_failed');
  });

  it('records a retried request once and refuses the same id with other matchers', () => {
    expect(seriesDeletionDecider.decide(request, state('active', [recorded]))).toEqual([]);
    expect(
      refusal(() =>
        seriesDeletionDecider.decide(
          { ...request, selectors: ['logins_total'] },
          state('active', [recorded]),
        ),
      ).code,
    ).toBe('already_exists');
  });
});
