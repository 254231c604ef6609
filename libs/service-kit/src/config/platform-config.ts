import { PlatformEnv, parseTargets, type ServiceName } from '@strata/contracts';

/** The validated, frozen configuration of one process; services receive it, never `process.env`. */
export type PlatformConfig = Readonly<PlatformEnv> & {
  /** `STRATA_TARGET` parsed into service names. */
  readonly targets: readonly ServiceName[];
};

/** The environment is invalid; the message names every bad variable. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

/** Validates `env` against `PlatformEnv`; throws `InvalidConfigError` listing each bad variable. */
export function parsePlatformConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<Record<keyof PlatformEnv, string>> = {},
): PlatformConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(PlatformEnv.shape))
    input[key] = overrides[key as keyof PlatformEnv] ?? env[key];
  const parsed = PlatformEnv.safeParse(input);
  if (!parsed.success) {
    throw new InvalidConfigError(
      parsed.error.issues.map(
        (i) =>
          `${i.path.join('.') || '(root)'}=${JSON.stringify(input[String(i.path[0])] ?? '')}: ${i.message}`,
      ),
    );
  }
  if (Boolean(parsed.data.NATS_TLS_CERT) !== Boolean(parsed.data.NATS_TLS_KEY)) {
    throw new InvalidConfigError([
      'NATS_TLS_CERT and NATS_TLS_KEY: a client certificate needs its key, and the key its certificate',
    ]);
  }
  let targets: ServiceName[];
  try {
    targets = parseTargets(parsed.data.STRATA_TARGET);
  } catch (error) {
    throw new InvalidConfigError([
      `STRATA_TARGET=${JSON.stringify(parsed.data.STRATA_TARGET)}: ${(error as Error).message}`,
    ]);
  }
  return Object.freeze({ ...parsed.data, targets: Object.freeze([...targets]) });
}

/**
 * Reads the process environment once at boot (the only place that does). A bad value stops the
 * process with exit code 78 (EX_CONFIG) and a message naming the variable, before anything starts.
 */
export function loadPlatformConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<Record<keyof PlatformEnv, string>> = {},
  exit: (message: string) => never = exitWithMessage,
): PlatformConfig {
  try {
    return parsePlatformConfig(env, overrides);
  } catch (error) {
    if (error instanceof InvalidConfigError) return exit(error.message);
    throw error;
  }
}

function exitWithMessage(message: string): never {
  process.stderr.write(`strata: ${message}\n`);
  process.exit(78);
}
