import { z } from 'zod';
import { parseOrThrow, PlatformEnv } from '@strata/contracts';
import { type BucketEnv } from '@strata/objstore';

const CliEnv = PlatformEnv.pick({
  STRATA_BUCKET_URL: true,
  STRATA_DATA_DIR: true,
  AWS_ENDPOINT_URL: true,
  AWS_REGION: true,
  AWS_ACCESS_KEY_ID: true,
  AWS_SECRET_ACCESS_KEY: true,
  AWS_SESSION_TOKEN: true,
  STRATA_S3_FORCE_PATH_STYLE: true,
}).extend({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/strata'),
});

/** What the CLI reads from its environment: the database (audit) and the bucket (blocks). */
export type CliConfig = { databaseUrl: string; bucket: BucketEnv };

/** Validates the environment once; nothing else in the CLI reads `process.env`. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const picked = Object.fromEntries(Object.keys(CliEnv.shape).map((k) => [k, env[k] || undefined]));
  const { DATABASE_URL, ...bucket } = parseOrThrow(CliEnv, picked, 'environment');
  return { databaseUrl: DATABASE_URL, bucket };
}

const RulesEnv = z.object({
  STRATA_URL: z.string().url().default('http://127.0.0.1:8080'),
  STRATA_TOKEN: z.string().min(1, 'set STRATA_TOKEN to the admin token or an API key'),
});

/** The gateway and credentials rule commands use, for `tenant`. */
export function loadRulesTarget(
  tenant: string,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; token: string; tenant: string } {
  const parsed = parseOrThrow(
    RulesEnv,
    { STRATA_URL: env.STRATA_URL || undefined, STRATA_TOKEN: env.STRATA_TOKEN },
    'environment',
  );
  return { url: parsed.STRATA_URL, token: parsed.STRATA_TOKEN, tenant };
}

/** The gateway and credentials model commands use; `tenant` when the token is the admin's. */
export function loadModelsTarget(
  tenant: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; token: string; tenant?: string } {
  const { url, token } = loadRulesTarget('', env);
  return { url, token, ...(tenant ? { tenant } : {}) };
}
