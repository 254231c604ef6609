#!/usr/bin/env node
// Builds the web console (apps/console) into dist/apps/console with Vite, from installed npm
// packages only. The README's two commands call it after installing dependencies, and the
// console's browser spec before starting the platform; it rebuilds only when a source is newer.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const app = join(root, 'apps/console');
const built = join(root, 'dist/apps/console/index.html');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'e2e' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the console unless the build is newer than every source and the lock file. */
export function ensureConsoleBuilt({ force = false } = {}) {
  const sourcesChanged = Math.max(
    newestSource(app),
    statSync(join(root, 'package-lock.json')).mtimeMs,
  );
  if (!force && existsSync(built) && statSync(built).mtimeMs >= sourcesChanged) return;
  console.log('[strata] building the web console');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(app, 'vite.config.mjs'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureConsoleBuilt({ force: process.argv.includes('--force') });
}
