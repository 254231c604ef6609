import { parseExpr } from './parser';
import { parseSeriesDesc } from './series-desc';
import { conformanceSkipReason, readConformanceScripts } from '../../testing/promqltest-files';

const skipReason = conformanceSkipReason();

// The scripts are read in place as data; queries marked eval_fail / expect fail may fail at
// evaluation or parsing, so only the others must parse.
describe('promqltest conformance scripts', () => {
  if (skipReason !== null) {
    it(`parsing skipped: ${skipReason} (a clone without ../shared beside it has none)`, () => {
      expect(skipReason).not.toBeNull();
    });
    return;
  }
  const { evals, loads } = readConformanceScripts();

  it('found the eval commands', () => {
    expect(evals.length).toBeGreaterThan(100);
  });

  it.each(evals.filter((c) => !c.expectFail).map((c) => [`${c.file}:${c.line}`, c.query] as const))(
    '%s parses: %s',
    (_where, query) => {
      expect(() => parseExpr(query, { enableExperimentalFunctions: true })).not.toThrow();
    },
  );

  it.each(
    loads
      .filter((l) => !l.text.includes('{{'))
      .map((l) => [`${l.file}:${l.line}`, l.text] as const),
  )('%s load line parses: %s', (_where, text) => {
    expect(() => parseSeriesDesc(text)).not.toThrow();
  });
});
