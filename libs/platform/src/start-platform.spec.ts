import { parsePlatformConfig } from '@strata/service-kit';
import { gatewayService as gateway } from '@strata/gateway';
import { ingesterService as ingester } from '@strata/ingester';
import { routerService as router } from '@strata/router';
import { ingesterRunsSeparately } from './start-platform';

const config = (value?: string) =>
  parsePlatformConfig(value === undefined ? {} : { STRATA_INGESTER_PROCESS: value });

describe('ingesterRunsSeparately', () => {
  it('gives the ingester a process of its own by default only when a second core exists', () => {
    expect(ingesterRunsSeparately(config(), [gateway, router, ingester], 2)).toBe(true);
    expect(ingesterRunsSeparately(config(), [gateway, router, ingester], 1)).toBe(false);
  });

  it('follows STRATA_INGESTER_PROCESS whatever the cores', () => {
    expect(ingesterRunsSeparately(config('separate'), [router, ingester], 1)).toBe(true);
    expect(ingesterRunsSeparately(config('inline'), [router, ingester], 8)).toBe(false);
  });

  it('keeps a process that runs the ingester alone, or no ingester, as it is', () => {
    expect(ingesterRunsSeparately(config('separate'), [ingester], 8)).toBe(false);
    expect(ingesterRunsSeparately(config('separate'), [gateway, router], 8)).toBe(false);
  });

  it('refuses an unknown setting', () => {
    expect(() => config('both')).toThrow(/STRATA_INGESTER_PROCESS="both"/);
  });
});
