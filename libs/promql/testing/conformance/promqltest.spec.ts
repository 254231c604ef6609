import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promqlParser } from './parser-adapter';
import { runScript, type ConformanceParser, type FileReport } from './runner';
import { PROMQLTEST_DIR } from '../promqltest-dir';

const SUITE_DIR = PROMQLTEST_DIR;
const PASSING_FILE = join(__dirname, 'passing-cases.json');

/** Files where every eval (other than native-histogram ones, which are skipped) must pass. */
const MUST_PASS = [
  'aggregators',
  'at_modifier',
  'collision',
  'functions',
  'histograms',
  'limit',
  'literals',
  'name_label_dropping',
  'operators',
  'range_queries',
  'selectors',
  'staleness',
  'subquery',
  'trig_functions',
];

/** Files not held to "every eval passes": their native-histogram evals are skipped one by one. */
const REPORT_ONLY = ['native_histograms', 'type_and_unit', 'duration_expression'];

if (!existsSync(SUITE_DIR)) {
  describe('promqltest', () => {
    it('promqltest suite skipped: ../shared/conformance/promqltest not found beside the clone', () => {
      expect(existsSync(SUITE_DIR)).toBe(false);
    });
  });
} else {
  const p: ConformanceParser = promqlParser;
  const files = readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith('.test'))
    .sort();
  const reports = new Map<string, FileReport>();

  describe('promqltest', () => {
    beforeAll(async () => {
      for (const f of files) {
        const name = f.replace(/\.test$/, '');
        const text = readFileSync(join(SUITE_DIR, f), 'utf8');
        try {
          reports.set(name, await runScript(name, text, p));
        } catch (err) {
          reports.set(name, {
            file: name,
            cases: [{ key: 'file', line: 0, query: '', status: 'failed', reason: String(err) }],
            passed: 0,
            failed: 1,
            skipped: 0,
          });
        }
      }
      const rows = [...reports.values()].map((r) => {
        const reasons = r.cases
          .filter((c) => c.status === 'skipped')
          .map((c) => (c.reason ?? '').replace(/ series .*/, ' series'));
        const why = [...new Set(reasons)].join('; ');
        return `${r.file.padEnd(22)} ${String(r.passed).padStart(5)} ${String(r.failed).padStart(6)} ${String(r.skipped).padStart(7)}  ${why}`;
      });
      // A table a person reads in the jest output; failures are listed by the per-file tests below.
      console.log(
        [
          `file                   passed failed skipped  skip reasons (report-only: ${REPORT_ONLY.join(', ')})`,
          ...rows,
        ].join('\n'),
      );
      if (process.env['UPDATE_PASSING_CASES'] === '1') {
        const passing: Record<string, string[]> = {};
        for (const r of reports.values())
          passing[r.file] = r.cases.filter((c) => c.status === 'passed').map((c) => c.key);
        writeFileSync(PASSING_FILE, JSON.stringify(passing, null, 2) + '\n');
      }
    }, 600_000);

    it.each(MUST_PASS)('%s: every eval passes (native-histogram evals skipped)', (name) => {
      const r = reports.get(name);
      expect(r).toBeDefined();
      const failures = r!.cases
        .filter((c) => c.status === 'failed')
        .map((c) => `line ${c.key}\n    ${c.reason ?? ''}`);
      expect(failures).toEqual([]);
    });

    it('no previously passing case regresses', () => {
      const known = existsSync(PASSING_FILE)
        ? (JSON.parse(readFileSync(PASSING_FILE, 'utf8')) as Record<string, string[]>)
        : {};
      const regressed: string[] = [];
      for (const [file, keys] of Object.entries(known)) {
        const r = reports.get(file);
        if (r === undefined) continue;
        const passing = new Set(r.cases.filter((c) => c.status === 'passed').map((c) => c.key));
        for (const k of keys) if (!passing.has(k)) regressed.push(`${file}:${k}`);
      }
      expect(regressed).toEqual([]);
    });
  });
}
