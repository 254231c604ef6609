import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The suite lives beside the clone (../shared), so resolve from the repo root, not from cwd.
const REPO_ROOT = resolve(__dirname, '../../..');

/** The main clone's root: the repo root itself, or for a git worktree the clone its `.git` file points into. */
function cloneRoot(): string {
  const dotGit = join(REPO_ROOT, '.git');
  if (!existsSync(dotGit) || statSync(dotGit).isDirectory()) return REPO_ROOT;
  const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
  // <clone>/.git/worktrees/<name> -> <clone>
  return m ? resolve(m[1].trim(), '../../..') : REPO_ROOT;
}

/**
 * Where Prometheus' promqltest scripts are read from: `PROMQLTEST_DIR` when set, else
 * `../shared/conformance/promqltest` beside the clone (a user's clone has none: specs then skip).
 */
export const PROMQLTEST_DIR =
  process.env['PROMQLTEST_DIR'] ??
  [REPO_ROOT, cloneRoot()]
    .map((r) => resolve(r, '../shared/conformance/promqltest'))
    .find((d) => existsSync(d)) ??
  resolve(REPO_ROOT, '../shared/conformance/promqltest');
