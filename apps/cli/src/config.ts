import { z } from 'zod';
import { parseOrThrow } from '@strata/contracts';

const CliEnv = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/strata'),
});

/** What the CLI reads from its environment. */
export type CliConfig = { databaseUrl: string };

/** Validates the environment once; nothing else in the CLI reads `process.env`. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const parsed = parseOrThrow(CliEnv, { DATABASE_URL: env.DATABASE_URL || undefined }, 'environment');
  return { databaseUrl: parsed.DATABASE_URL };
}
