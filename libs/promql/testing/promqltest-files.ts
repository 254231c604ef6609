import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMQLTEST_DIR } from './promqltest-dir';

/** Where the shared PromQL conformance scripts live: beside the clone, as the engine's suite finds them. */
export const CONFORMANCE_DIR = PROMQLTEST_DIR;

/** One `eval` command of a promqltest script. */
export interface EvalCase {
  file: string;
  line: number;
  query: string;
  /** `eval_fail` or an `expect fail` line: the script itself expects the query to fail. */
  expectFail: boolean;
}

/** One series line of a `load` block. */
export interface LoadLine {
  file: string;
  line: number;
  text: string;
}

const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;

/** Why the conformance scripts cannot be read, or null when they can. */
export function conformanceSkipReason(): string | null {
  if (!existsSync(CONFORMANCE_DIR)) return `conformance scripts not found at ${CONFORMANCE_DIR}`;
  if (listScripts().length === 0) return `no *.test files in ${CONFORMANCE_DIR}`;
  return null;
}

function listScripts(): string[] {
  return readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.test'))
    .sort();
}

/** Reads every eval command and load line from the conformance scripts (as data, in place). */
export function readConformanceScripts(): { evals: EvalCase[]; loads: LoadLine[] } {
  const evals: EvalCase[] = [];
  const loads: LoadLine[] = [];
  for (const file of listScripts()) {
    const lines = readFileSync(join(CONFORMANCE_DIR, file), 'utf8').split('\n');
    let inLoad = false;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i];
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        if (trimmed === '') inLoad = false;
        continue;
      }
      if (/^load(_with_nhcb)?\s/.test(trimmed)) {
        inLoad = true;
        continue;
      }
      if (inLoad && /^\s/.test(raw)) {
        loads.push({ file, line: i + 1, text: trimmed });
        continue;
      }
      inLoad = false;
      const m = EVAL_INSTANT.exec(trimmed) ?? EVAL_RANGE.exec(trimmed);
      if (m === null) continue;
      const query = m[m.length - 1];
      let expectFail = m[1] === 'fail';
      for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]); j++) {
        if (/^expect\s+fail\b/.test(lines[j].trim())) expectFail = true;
      }
      evals.push({ file, line: i + 1, query, expectFail });
    }
  }
  return { evals, loads };
}
