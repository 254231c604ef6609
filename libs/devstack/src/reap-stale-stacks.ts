import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidFrom(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Stops the servers of test stacks whose owning run died without its teardown (a killed jest),
 * and removes their data. A stack directory is named `<prefix><owner pid>`.
 */
export function reapStaleStacks(parentDir: string, prefix: string): string[] {
  if (!existsSync(parentDir)) return [];
  const reaped: string[] = [];
  for (const name of readdirSync(parentDir)) {
    if (!name.startsWith(prefix)) continue;
    const owner = Number(name.slice(prefix.length));
    if (!Number.isInteger(owner) || alive(owner)) continue;
    const dir = join(parentDir, name);
    for (const pidFile of [
      join(dir, 'postgres/cluster/postmaster.pid'),
      join(dir, 'nats/nats-server.pid'),
    ]) {
      const pid = pidFrom(pidFile);
      // SIGINT is a fast, clean shutdown for both servers.
      if (pid !== null && alive(pid)) process.kill(pid, 'SIGINT');
    }
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}
