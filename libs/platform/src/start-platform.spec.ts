import { parsePlatformConfig } from '@strata/service-kit';
import { gatewayService as gateway } from '@strata/gateway';
import { ingesterService as ingester } from '@strata/ingester';
import { routerService as router } from '@strata/router';
import { CHILD_PROCESS_SERVICE, childProcessRuns } from './start-platform';

const config = (value?: string) =>
  parsePlatformConfig(value === undefined ? {} : { STRATA_ROUTER_PROCESS: value });

describe('childProcessRuns', () => {
  it('is the router that leaves, so queries stay in-process with the ingester', () => {
    expect(CHILD_PROCESS_SERVICE).toBe('router');
  });

  it('gives the router a process of its own by default only when a second core exists', () => {
    expect(childProcessRuns(config(), [gateway, router, ingester], 2)).toBe(true);
    expect(childProcessRuns(config(), [gateway, router, ingester], 1)).toBe(false);
  });

  it('follows STRATA_ROUTER_PROCESS whatever the cores', () => {
    expect(childProcessRuns(config('separate'), [gateway, router], 1)).toBe(true);
    expect(childProcessRuns(config('inline'), [gateway, router, ingester], 8)).toBe(false);
  });

  it('keeps a process that runs the router alone, or no router, as it is', () => {
    expect(childProcessRuns(config('separate'), [router], 8)).toBe(false);
    expect(childProcessRuns(config('separate'), [gateway, ingester], 8)).toBe(false);
  });

  it('refuses an unknown setting', () => {
    expect(() => config('both')).toThrow(/STRATA_ROUTER_PROCESS="both"/);
  });
});
