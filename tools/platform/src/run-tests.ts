// Runs typecheck, lint and every jest project against a real nats-server and Postgres, and ends
// with one line `N passed, N failed` computed from jest's JSON result plus the two static checks.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensurePrograms,
  which,
  NATS_SERVER,
  POSTGRES,
  type RequiredProgram,
} from '@strata/devstack';

const root = join(__dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);
const log = (line: string) => console.log(`[strata test] ${line}`);

/** Peers the integration and differential tests run against. */
const TEST_PEERS: RequiredProgram[] = [
  NATS_SERVER,
  POSTGRES,
  { find: () => which('prometheus'), debianPackage: 'prometheus' },
  { find: () => which('promtool'), debianPackage: 'prometheus' },
  {
    find: () => which('prometheus-alertmanager') ?? which('alertmanager'),
    debianPackage: 'prometheus-alertmanager',
  },
  { find: () => which('prometheus-node-exporter'), debianPackage: 'prometheus-node-exporter' },
  // The syslog source's spec forwards through a real rsyslogd (installed under /usr/sbin).
  {
    find: () => (existsSync('/usr/sbin/rsyslogd') ? '/usr/sbin/rsyslogd' : which('rsyslogd')),
    debianPackage: 'rsyslog',
  },
  // The web console's browser specs drive Debian's Chromium; nothing downloads a browser.
  { find: () => which('chromium'), debianPackage: 'chromium' },
  // The CLI's zsh completion is loaded and driven in a real zsh.
  { find: () => which('zsh'), debianPackage: 'zsh' },
];

function step(name: string, command: string, args: string[]): boolean {
  log(`${name}: ${[command.replace(root + '/', ''), ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = result.status === 0;
  log(`${name}: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

interface JestResult {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
}

function main(): void {
  ensurePrograms(TEST_PEERS, log);
  const jestArgs = process.argv.slice(2);
  const focused = jestArgs.length > 0;
  const checks: boolean[] = [];
  if (!focused) {
    // Two programs, so jest's globals exist for specs and their scaffolding but never for production code.
    checks.push(step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']));
    checks.push(step('typecheck specs', bin('tsc'), ['-p', 'tsconfig.spec.json', '--noEmit']));
    checks.push(
      step('typecheck console', bin('tsc'), ['-p', 'apps/console/tsconfig.json', '--noEmit']),
    );
    // The module-boundary rule reads Nx's project graph; computing it first makes the rule run.
    step('project graph', bin('nx'), ['show', 'projects']);
    checks.push(step('lint', bin('eslint'), ['.', '--max-warnings=0']));
    checks.push(step('format', bin('prettier'), ['--check', '.', '--log-level=warn']));
  }
  mkdirSync(join(root, '.strata'), { recursive: true });
  const resultFile = join(root, '.strata', 'jest-result.json');
  step('jest', bin('jest'), [
    '--json',
    `--outputFile=${resultFile}`,
    '--maxWorkers=2',
    ...jestArgs,
  ]);
  let result: JestResult;
  try {
    result = JSON.parse(readFileSync(resultFile, 'utf8')) as JestResult;
  } catch {
    result = {
      numPassedTests: 0,
      numFailedTests: 0,
      numPendingTests: 0,
      numRuntimeErrorTestSuites: 1,
    };
  }
  const passed = result.numPassedTests + checks.filter(Boolean).length;
  // A suite that fails to load has no test results of its own; it still counts as a failure.
  const failed =
    result.numFailedTests + result.numRuntimeErrorTestSuites + checks.filter((c) => !c).length;
  const skipped = result.numPendingTests;
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main();
