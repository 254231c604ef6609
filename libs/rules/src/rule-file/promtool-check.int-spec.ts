// Differential against Debian's real promtool (the test command installs the `prometheus` package):
// every file of the table gets the same verdict from `promtool check rules` and from
// checkRuleFile, and the same reasons, worded the same, unless the row says why not.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkRuleFile } from './check';
import { CHECK_CASES } from './testdata/check-cases';

const run = promisify(execFile);
const FILE = 'rules.yml';

interface PromtoolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function promtool(dir: string, yaml: string): Promise<PromtoolResult> {
  await writeFile(join(dir, FILE), yaml);
  try {
    const { stdout, stderr } = await run('promtool', ['check', 'rules', FILE], { cwd: dir });
    return { exitCode: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { exitCode: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** promtool's problems: each starts a line with the file name; the order of label problems is Go's map order. */
function problems(stderr: string): string[] {
  return stderr
    .replace(/^ {2}FAILED:\n/, '')
    .split(new RegExp(`^${FILE.replace('.', '\\.')}: `, 'm'))
    .map((p) => p.replace(/\n+$/, ''))
    .filter((p) => p !== '')
    .sort();
}

describe('rule files checked by promtool and by us', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-promtool-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CHECK_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const theirs = await promtool(dir, c.yaml);
    // Prometheus 2.42 knows neither query_offset nor our per-group rule limit.
    const ours = checkRuleFile(FILE, c.yaml, { queryOffset: false, maxRulesPerGroup: 0 });
    expect(ours.exitCode).toBe(theirs.exitCode);
    expect(ours.stdout).toBe(theirs.stdout);
    if (c.verdictOnly) {
      expect(ours.problems.length > 0).toBe(problems(theirs.stderr).length > 0);
      return;
    }
    if (ours.lint !== null) expect(ours.stderr).toBe(theirs.stderr);
    else
      expect([...new Set(ours.problems)].sort()).toEqual(
        [...new Set(problems(theirs.stderr))].sort(),
      );
  });
});
