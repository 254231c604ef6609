import { DEFAULT_QUOTA, type QuotaEvent } from '@strata/contracts';
import { quotaDecider, type QuotaState } from './quota.decider';

const live: QuotaState['tenant'] = { status: 'active', displayName: 'Acme' };

function given(events: QuotaEvent[], tenant: QuotaState['tenant'] = live): QuotaState {
  return { ...events.reduce(quotaDecider.evolve, quotaDecider.initialState()), tenant };
}

describe('quota decider', () => {
  it('merges a patch onto the default quota and names the changed fields', () => {
    expect(
      quotaDecider.decide(
        { type: 'SetQuota', tenantId: 'acme', quota: { maxActiveSeries: 5 } },
        given([]),
      ),
    ).toEqual([
      {
        type: 'QuotaSet',
        data: {
          tenantId: 'acme',
          quota: { ...DEFAULT_QUOTA, maxActiveSeries: 5 },
          changed: ['maxActiveSeries'],
        },
      },
    ]);
  });
  it('merges onto the previous quota, not the default', () => {
    const first: QuotaEvent = {
      type: 'QuotaSet',
      data: {
        tenantId: 'acme',
        quota: { ...DEFAULT_QUOTA, maxActiveSeries: 5 },
        changed: ['maxActiveSeries'],
      },
    };
    const [event] = quotaDecider.decide(
      { type: 'SetQuota', tenantId: 'acme', quota: { maxLabelsPerSeries: 10 } },
      given([first]),
    );
    expect(event.data.quota).toEqual({
      ...DEFAULT_QUOTA,
      maxActiveSeries: 5,
      maxLabelsPerSeries: 10,
    });
    expect(event.data.changed).toEqual(['maxLabelsPerSeries']);
  });
  it('fills fields added since an event was written with their defaults', () => {
    const {
      creationGracePeriodSeconds,
      pastGracePeriodSeconds,
      outOfOrderTimeWindowSeconds,
      ...older
    } = { ...DEFAULT_QUOTA, maxActiveSeries: 5 };
    const stored = {
      type: 'QuotaSet',
      data: { tenantId: 'acme', quota: older, changed: ['maxActiveSeries'] },
    } as unknown as QuotaEvent;
    expect(given([stored]).quota).toEqual({ ...DEFAULT_QUOTA, maxActiveSeries: 5 });
    expect([
      creationGracePeriodSeconds,
      pastGracePeriodSeconds,
      outOfOrderTimeWindowSeconds,
    ]).toEqual([600, 0, 0]);
  });
  it('appends nothing when the patch changes nothing', () => {
    expect(
      quotaDecider.decide(
        {
          type: 'SetQuota',
          tenantId: 'acme',
          quota: { maxActiveSeries: DEFAULT_QUOTA.maxActiveSeries },
        },
        given([]),
      ),
    ).toEqual([]);
  });
  it('refuses quotas of unknown or deleted tenants', () => {
    expect(() =>
      quotaDecider.decide(
        { type: 'SetQuota', tenantId: 'acme', quota: {} },
        given([], { status: 'none', displayName: '' }),
      ),
    ).toThrow(expect.objectContaining({ code: 'not_found' }) as unknown as Error);
    expect(() =>
      quotaDecider.decide(
        { type: 'SetQuota', tenantId: 'acme', quota: {} },
        given([], { status: 'deleted', displayName: '' }),
      ),
    ).toThrow(/deleted/);
  });
});
