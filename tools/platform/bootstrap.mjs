// Shared first step of the README's commands: it runs with Node alone, before any dependency is
// installed, so it may use nothing but Node's standard library.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Installs npm dependencies when node_modules is missing or older than the lock file. `npm install`
 * rather than `npm ci`: the lock pins every version, and npm 11 writes locks without the other
 * platforms' optional binaries (swc, resolvers), which `npm ci` then rejects as out of sync.
 */
export function ensureNodeModules() {
  const marker = join(root, 'node_modules/.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('[strata] installing npm dependencies');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

/** Runs a TypeScript entry point of the workspace with swc (paths and decorator metadata from tsconfig). */
export function runTypeScript(entry, args) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, entry), ...args], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
