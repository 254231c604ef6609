import { storeShardOfTenant } from '@strata/contracts';
import { parsePlatformConfig } from '@strata/service-kit';
import { ownsTenant, storeGatewaySettings } from './store-gateway.settings';

describe('store gateway settings', () => {
  it('gives each tenant to exactly one of the shard replicas', () => {
    const replicas = [0, 1, 2].map((i) =>
      storeGatewaySettings(
        parsePlatformConfig({ STRATA_STORE_SHARDS: '3', STRATA_STORE_SHARD: String(i) }),
      ),
    );
    for (const t of ['a', 'b', 'acme', 'team-a', 'team-b', 'x'.repeat(40)]) {
      const owners = replicas.filter((r) => ownsTenant(r, t));
      expect(owners).toHaveLength(1);
      expect(owners[0].shard).toBe(storeShardOfTenant(t, 3));
    }
  });

  it('numbers the subject by time partition and shard, and refuses a replica outside the configured ones', () => {
    const s = storeGatewaySettings(
      parsePlatformConfig({
        STRATA_STORE_SHARDS: '2',
        STRATA_STORE_SHARD: '1',
        STRATA_STORE_TIME_RANGES: '14d,2d',
        STRATA_STORE_TIME_PARTITION: '2',
      }),
    );
    expect(s.subjectShard).toBe(5);
    expect(() =>
      storeGatewaySettings(
        parsePlatformConfig({ STRATA_STORE_SHARDS: '2', STRATA_STORE_SHARD: '2' }),
      ),
    ).toThrow(/below STRATA_STORE_SHARDS/);
    expect(() =>
      storeGatewaySettings(
        parsePlatformConfig({ STRATA_STORE_TIME_RANGES: '2d', STRATA_STORE_TIME_PARTITION: '2' }),
      ),
    ).toThrow(/at most 1/);
    expect(() => parsePlatformConfig({ STRATA_STORE_TIME_RANGES: '2d,14d' })).toThrow();
  });
});
