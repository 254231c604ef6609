import { InvalidConfigError, loadPlatformConfig, parsePlatformConfig } from './platform-config';

describe('platform config', () => {
  it('applies defaults and parses targets into a frozen object', () => {
    const config = parsePlatformConfig({});
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.HEALTH_PORT).toBe(8081);
    expect(config.targets).toContain('gateway');
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { HTTP_PORT: number }).HTTP_PORT = 1;
    }).toThrow();
  });

  it('coerces numbers and lets overrides win over the environment', () => {
    const config = parsePlatformConfig(
      { HEALTH_PORT: '9000', STRATA_TARGET: 'all' },
      { STRATA_TARGET: 'router,ingester' },
    );
    expect(config.HEALTH_PORT).toBe(9000);
    expect(config.targets).toEqual(['router', 'ingester']);
  });

  it('names every bad variable', () => {
    const error = (() => {
      try {
        parsePlatformConfig({ NATS_URL: 'not a url', HEALTH_PORT: '70000', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e as InvalidConfigError;
      }
      throw new Error('expected a failure');
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.problems.map((p) => p.split('=')[0]).sort()).toEqual([
      'HEALTH_PORT',
      'LOG_LEVEL',
      'NATS_URL',
    ]);
    expect(error.message).toContain('NATS_URL="not a url"');
  });

  it('takes several NATS servers of a cluster as a comma-separated list, and one JetStream replica unless told', () => {
    const config = parsePlatformConfig({
      NATS_URL: 'nats://127.0.0.1:4222, nats://127.0.0.1:4223',
    });
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222, nats://127.0.0.1:4223');
    expect(config.STRATA_JETSTREAM_REPLICAS).toBe(1);
    expect(parsePlatformConfig({ STRATA_JETSTREAM_REPLICAS: '3' }).STRATA_JETSTREAM_REPLICAS).toBe(
      3,
    );
    expect(() => parsePlatformConfig({ NATS_URL: 'nats://127.0.0.1:4222,not a url' })).toThrow(
      /NATS_URL/,
    );
    expect(() => parsePlatformConfig({ STRATA_JETSTREAM_REPLICAS: '0' })).toThrow(
      /STRATA_JETSTREAM_REPLICAS/,
    );
  });

  it('rejects unknown targets', () => {
    expect(() => parsePlatformConfig({ STRATA_TARGET: 'router,teleporter' })).toThrow(
      /STRATA_TARGET.*teleporter/,
    );
  });

  it('exits with the message when loading a bad environment', () => {
    const exit = jest.fn((message: string): never => {
      throw new Error(`exit: ${message}`);
    });
    expect(() => loadPlatformConfig({ HTTP_PORT: 'x' }, {}, exit)).toThrow(
      /exit: invalid configuration:\n {2}HTTP_PORT="x"/,
    );
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
