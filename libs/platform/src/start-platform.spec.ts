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

  it('keeps every service in one process unless a second one is asked for', () => {
    expect(childProcessRuns(config(), [gateway, router, ingester])).toBe(false);
    expect(childProcessRuns(config('inline'), [gateway, router, ingester])).toBe(false);
    expect(childProcessRuns(config('separate'), [gateway, router, ingester])).toBe(true);
  });

  it('keeps a process that runs the router alone, or no router, as it is', () => {
    expect(childProcessRuns(config('separate'), [router])).toBe(false);
    expect(childProcessRuns(config('separate'), [gateway, ingester])).toBe(false);
  });

  it('refuses an unknown setting', () => {
    expect(() => config('both')).toThrow(/STRATA_ROUTER_PROCESS="both"/);
  });
});
