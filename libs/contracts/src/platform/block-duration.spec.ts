import { PlatformEnv, parseBlockDuration } from './config';

describe('STRATA_BLOCK_DURATION', () => {
  it('reads Prometheus durations in milliseconds', () => {
    expect(parseBlockDuration('2h')).toBe(7_200_000);
    expect(parseBlockDuration('1h30m')).toBe(5_400_000);
    expect(parseBlockDuration('10s')).toBe(10_000);
    expect(parseBlockDuration('500ms')).toBe(500);
  });

  it('refuses what is not a positive duration', () => {
    for (const bad of ['', '2', 'h', '-1h', '0s', '2 h', '1.5h', '2w'])
      expect(parseBlockDuration(bad)).toBeNull();
  });

  it('defaults to 2h, as Prometheus and Thanos cut blocks, and fails the config on a bad value', () => {
    expect(PlatformEnv.parse({}).STRATA_BLOCK_DURATION).toBe(7_200_000);
    expect(PlatformEnv.parse({ STRATA_BLOCK_DURATION: '1m' }).STRATA_BLOCK_DURATION).toBe(60_000);
    expect(PlatformEnv.safeParse({ STRATA_BLOCK_DURATION: 'soon' }).success).toBe(false);
  });
});
