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
import { SUPERVISED_CHILD_ENV, SupervisedChild, stopWithParent } from './supervised-child';

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
  /**
   * The script of the all-in-one process (`apps/strata/src/main.ts`). With it, the router may run
   * in a supervised child process of that script (`STRATA_ROUTER_PROCESS`); without it, as in
   * specs that start services in-process, every selected service runs in this process.
   */
  entry?: string;
}

/**
 * The service the all-in-one may run in a supervised second process: the router, which decodes and
 * encodes writes and meets the gateway over NATS anyway, while the ingester stays in-process with
 * the query service that reads it.
 */
export const CHILD_PROCESS_SERVICE: ServiceName = 'router';

/** Whether `CHILD_PROCESS_SERVICE` gets a process of its own: when asked for, and only beside other services. */
export function childProcessRuns(
  config: PlatformConfig,
  services: readonly ServiceDefinition[],
): boolean {
  if (services.length < 2 || !services.some((s) => s.name === CHILD_PROCESS_SERVICE)) return false;
  return config.STRATA_ROUTER_PROCESS === 'separate';
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
  const env = options.env ?? process.env;
  // A supervised child never splits again, whatever its services.
  if (!options.entry || env[SUPERVISED_CHILD_ENV] || !childProcessRuns(config, services)) {
    const running = await startServices({ config, services, handleSignals: options.handleSignals });
    if (env[SUPERVISED_CHILD_ENV]) stopWithParent(running.stop);
    return running;
  }
  return startWithChild(config, services, env, options.entry, options.handleSignals ?? true);
}

/**
 * The other services here, `CHILD_PROCESS_SERVICE` in a supervised child running the same script:
 * the two share nothing but NATS, so each may crash alone without losing an acknowledged write (the
 * router acknowledges only what JetStream stored; while it is down the gateway answers 5xx, which
 * remote-write clients retry).
 */
async function startWithChild(
  config: PlatformConfig,
  services: readonly ServiceDefinition[],
  env: Readonly<Record<string, string | undefined>>,
  entry: string,
  handleSignals: boolean,
): Promise<RunningServices> {
  const child = new SupervisedChild({
    name: CHILD_PROCESS_SERVICE,
    entry,
    args: [`--target=${CHILD_PROCESS_SERVICE}`],
    // Its own internal listener on a free port: HEALTH_PORT belongs to this process.
    env: { ...env, STRATA_TARGET: CHILD_PROCESS_SERVICE, HEALTH_PORT: '0' },
  });
  child.start();
  let running: RunningServices;
  try {
    running = await startServices({
      config,
      services: services.filter((s) => s.name !== CHILD_PROCESS_SERVICE),
      handleSignals: false,
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  // The services here first: the gateway stops taking writes and answers those in flight, which
  // need the router until then; the router, stopped next, replies only once JetStream stored a
  // write, so nothing acknowledged is lost and nothing stored goes unanswered.
  const stop = (): Promise<void> => (stopping ??= running.stop().finally(() => child.stop()));
  if (handleSignals) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => void stop().finally(() => process.kill(process.pid, signal)));
  }
  return { ...running, stop };
}
