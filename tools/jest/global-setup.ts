// Starts one nats-server and one Postgres for the whole run through the same devstack the start
// command uses, unless the caller already provides them. Workers inherit the URLs through env.
import './workspace-paths';
import { join } from 'node:path';
import { reapStaleStacks, startLocalStack, type LocalStack } from '@strata/devstack';

declare global {
  var __strataTestStack: LocalStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (
    process.env.STRATA_TEST_NATS_URL &&
    process.env.STRATA_TEST_NATS_CREDENTIALS_DIR &&
    process.env.STRATA_TEST_PG_ADMIN_URL
  )
    return;
  const root = join(__dirname, '../..');
  reapStaleStacks(join(root, '.strata'), 'test-');
  const stack = await startLocalStack({
    dataDir: join(root, '.strata', `test-${process.pid}`),
    ephemeral: true,
    database: 'strata_test',
  });
  globalThis.__strataTestStack = stack;
  process.env.STRATA_TEST_NATS_URL = stack.natsUrl;
  process.env.STRATA_TEST_NATS_CREDENTIALS_DIR = stack.natsCredentialsDir ?? '';
  process.env.STRATA_TEST_PG_ADMIN_URL = stack.postgresAdminUrl ?? '';
  process.env.STRATA_TEST_DATA_DIR = join(root, '.strata', `test-${process.pid}`);
}
