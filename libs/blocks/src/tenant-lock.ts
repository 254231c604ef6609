const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same tenant in this process has settled, so the
 * overlap check, the existence check and the upload of one block are not interleaved with
 * another upload for the tenant. Other processes are not excluded (see the README).
 */
export function withTenantLock<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(tenant) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(tenant, tail);
  void tail.then(() => {
    if (tails.get(tenant) === tail) tails.delete(tenant);
  });
  return run;
}
