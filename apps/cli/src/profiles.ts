import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parse, stringify } from 'yaml';
import { StrataError } from '@strata/contracts';
import { UsageError } from './exit-codes';

/** One profile, like a kubectl context: where the gateway is and which credential to send. */
export const Profile = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  /** The tenant data commands act for when the token is the platform admin's. */
  tenant: z.string().min(1).optional(),
});
export type Profile = z.infer<typeof Profile>;

/** The CLI's config file: named profiles and which one is current. */
export const CliConfigFile = z.object({
  'current-profile': z.string().optional(),
  profiles: z.record(z.string(), Profile).default({}),
});
export type CliConfigFile = z.infer<typeof CliConfigFile>;

/** `$STRATA_CONFIG`, else `$XDG_CONFIG_HOME/strata/config.yaml`, else `~/.config/strata/config.yaml`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.STRATA_CONFIG) return env.STRATA_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'strata', 'config.yaml');
}

/** The config file, or an empty one when there is none yet. */
export async function readConfigFile(path: string): Promise<CliConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw error;
  }
  const parsed = CliConfigFile.safeParse(parse(text) ?? {});
  if (!parsed.success)
    throw new StrataError('validation_failed', `${path}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/**
 * Writes the file readable by its owner only (it holds tokens): a new file is created with 0600
 * and renamed over the old, so no reader ever sees a wider mode or half a file.
 */
export async function writeConfigFile(path: string, config: CliConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, stringify(config), { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** Flags and environment that pick the gateway and credential of one command. */
export interface TargetInputs {
  url?: string;
  token?: string;
  profile?: string;
  tenant?: string;
}

/** Where a command sends its requests, and as whom. */
export interface ApiTarget {
  url: string;
  token: string;
  tenant?: string;
}

const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * Resolves the target as kubectl does: `--url`/`--token` flags first, then the profile named by
 * `--profile`, then `STRATA_URL`/`STRATA_TOKEN`, then the current profile.
 */
export function resolveTarget(
  flags: TargetInputs,
  env: NodeJS.ProcessEnv,
  config: CliConfigFile,
): ApiTarget {
  const named = flags.profile ?? env.STRATA_PROFILE;
  if (named !== undefined && !(named in config.profiles))
    throw new UsageError(`no profile ${named}; see strata config get-profiles`);
  const explicit = named !== undefined ? config.profiles[named] : undefined;
  const current = config['current-profile']
    ? config.profiles[config['current-profile']]
    : undefined;
  const url = flags.url ?? explicit?.url ?? (env.STRATA_URL || current?.url) ?? DEFAULT_URL;
  const token = flags.token ?? explicit?.token ?? (env.STRATA_TOKEN || current?.token);
  if (!token)
    throw new UsageError(
      'no credential: run strata login --url <gateway> --token <token>, or set STRATA_TOKEN',
    );
  const tenant = flags.tenant ?? explicit?.tenant ?? (explicit ? undefined : current?.tenant);
  return { url: url.replace(/\/+$/, ''), token, ...(tenant ? { tenant } : {}) };
}
