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
