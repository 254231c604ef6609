import { DEFAULT_QUOTA } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { admissionResolver } from './admission-resolver';

describe('admissionResolver', () => {
  it("admits the tenant and caches its quota's query limits", async () => {
    let clock = 0;
    let lookups = 0;
    const resolver = admissionResolver({
      admit: () => Promise.resolve('t1'),
      quotaOf: () => {
        lookups++;
        return Promise.resolve({ ...DEFAULT_QUOTA, maxSeriesPerQuery: 7 });
      },
      cacheMs: 1000,
      now: () => clock,
    });
    const request = { id: 'r1' } as FastifyRequest;
    expect(await resolver.admit(request)).toEqual({
      tenantId: 't1',
      limits: {
        maxSamplesPerQuery: DEFAULT_QUOTA.maxSamplesPerQuery,
        maxSeriesPerQuery: 7,
        maxQueryRangeSeconds: DEFAULT_QUOTA.maxQueryRangeSeconds,
      },
    });
    await resolver.admit(request);
    expect(lookups).toBe(1);
    clock = 2000;
    await resolver.admit(request);
    expect(lookups).toBe(2);
  });

  it('passes admission failures through', async () => {
    const resolver = admissionResolver({ admit: () => Promise.reject(new Error('forbidden')) });
    await expect(resolver.admit({ id: 'r' } as FastifyRequest)).rejects.toThrow('forbidden');
  });
});
