#!/usr/bin/env node
// Builds the web console (apps/console) into dist/apps/console with Vite, from installed npm
// packages only. The README's two commands call it after installing dependencies, and the
// console's browser spec before starting the platform; it rebuilds only when a source is newer.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const app = join(root, 'apps/console');
const built = join(root, 'dist/apps/console/index.html');
// Vite empties the output folder first, so two builders at once (parallel spec runs) would leave a
// gateway starting meanwhile without files: one builds, the others wait for it and re-check.
const lock = join(root, 'dist/apps/console-build.lock');
const LOCK_STALE_MS = 5 * 60_000;

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
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    if (!force && isCurrent()) return;
    let fd;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      // A builder that died leaves its lock behind; after a while it is ignored.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!force && isCurrent()) return;
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
      return;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

function isCurrent() {
  const sourcesChanged = Math.max(
    newestSource(app),
    statSync(join(root, 'package-lock.json')).mtimeMs,
  );
  return existsSync(built) && statSync(built).mtimeMs >= sourcesChanged;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureConsoleBuilt({ force: process.argv.includes('--force') });
}
