import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__strataTestStack;
  if (!stack) return;
  globalThis.__strataTestStack = undefined;
  await stack.stop();
  if (process.env.STRATA_TEST_DATA_DIR)
    rmSync(process.env.STRATA_TEST_DATA_DIR, { recursive: true, force: true });
}
