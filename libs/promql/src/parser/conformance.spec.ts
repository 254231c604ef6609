import { parseExpr } from './parser';
import { parseSeriesDesc } from './series-desc';
import { conformanceSkipReason, readConformanceScripts } from './testing/promqltest-files';

const skipReason = conformanceSkipReason();
if (skipReason !== null) {
  // Visible in the run log as well as in the test name below.
  console.warn(`promqltest conformance parsing skipped: ${skipReason}`);
}

// The scripts are read in place as data; queries marked eval_fail / expect fail may fail at
// evaluation or parsing, so only the others must parse.
const describeIfScripts = skipReason === null ? describe : describe.skip;

describeIfScripts(skipReason === null ? 'promqltest conformance scripts' : `promqltest conformance scripts (skipped: ${skipReason})`, () => {
  const { evals, loads } = skipReason === null ? readConformanceScripts() : { evals: [], loads: [] };

  it('found the eval commands', () => {
    expect(evals.length).toBeGreaterThan(100);
  });

  it.each(evals.filter((c) => !c.expectFail).map((c) => [`${c.file}:${c.line}`, c.query] as const))('%s parses: %s', (_where, query) => {
    expect(() => parseExpr(query, { enableExperimentalFunctions: true })).not.toThrow();
  });

  it.each(loads.filter((l) => !l.text.includes('{{')).map((l) => [`${l.file}:${l.line}`, l.text] as const))('%s load line parses: %s', (_where, text) => {
    expect(() => parseSeriesDesc(text)).not.toThrow();
  });
});
