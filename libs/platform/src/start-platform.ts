import { Logger } from '@nestjs/common';
import { SERVICE_NAMES, type ServiceName } from '@strata/contracts';
import {
  loadPlatformConfig,
  selectServices,
  startServices,
  type PlatformConfig,
  type RunningServices,
  type ServiceDefinition,
  type ServiceRegistry,
} from '@strata/service-kit';
import { SERVICE_REGISTRY } from './service-registry';

/** Reads `--target=<list>` or `--target <list>` from command-line arguments; the flag wins over `STRATA_TARGET`. */
export function targetFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--target=')) return arg.slice('--target='.length);
    if (arg === '--target') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new Error('--target needs a value: all or a comma-separated list of services');
      return value;
    }
  }
  return undefined;
}

/**
 * The services to run: an explicit list must be fully registered; `all` means every registered
 * service, so the platform starts while a service's library has not plugged in yet.
 */
export function resolveServices(
  config: PlatformConfig,
  registry: ServiceRegistry,
): { services: ServiceDefinition[]; missing: ServiceName[] } {
  if (config.STRATA_TARGET.trim() === 'all') {
    const missing = SERVICE_NAMES.filter((n) => !registry[n]);
    return {
      services: selectServices(
        registry,
        SERVICE_NAMES.filter((n) => registry[n]),
      ),
      missing,
    };
  }
  return { services: selectServices(registry, config.targets), missing: [] };
}

/** Options of the all-in-one start, for tests that run it in-process. */
export interface StartPlatformOptions {
  env?: Readonly<Record<string, string | undefined>>;
  registry?: ServiceRegistry;
  handleSignals?: boolean;
  /** What an invalid configuration does; the process exits with the message by default. */
  exit?: (message: string) => never;
}

/** Starts the services selected by `--target` (or `STRATA_TARGET`, default `all`) in this process. */
export async function startPlatform(
  argv: readonly string[],
  options: StartPlatformOptions = {},
): Promise<RunningServices> {
  const target = targetFromArgs(argv);
  const config = loadPlatformConfig(
    options.env,
    target === undefined ? {} : { STRATA_TARGET: target },
    options.exit,
  );
  const { services, missing } = resolveServices(config, options.registry ?? SERVICE_REGISTRY);
  if (missing.length > 0)
    new Logger('Strata').warn(`not registered yet, so not running: ${missing.join(', ')}`);
  return startServices({ config, services, handleSignals: options.handleSignals });
}
