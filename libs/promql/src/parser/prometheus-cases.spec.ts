import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from './parse-error';
import { parseExpr } from './parser';
import { normalizeTree } from '../../testing/normalize';

interface FixtureCase {
  input: string;
  expected?: unknown;
  fail?: boolean;
  errMsg?: string;
}

// Converted from the testExpr table of Prometheus v3.5 promql/parser/parse_test.go: each case is the
// query, and either the exact tree Prometheus builds or (a substring of) the error it reports.
const cases = JSON.parse(
  readFileSync(join(__dirname, 'testdata/prometheus-parse-cases.json'), 'utf8'),
) as FixtureCase[];

function parse(input: string): unknown {
  return normalizeTree(
    parseExpr(input, { enableExperimentalFunctions: true, enableExperimentalDurationExpr: true }),
  );
}

describe('Prometheus parse_test.go cases', () => {
  const valid = cases.filter((c) => c.fail !== true);
  const invalid = cases.filter((c) => c.fail === true);

  it.each(valid.map((c) => [c.input, c] as const))('parses %j into the same tree', (_input, c) => {
    expect(parse(c.input)).toEqual(c.expected);
  });

  it.each(invalid.map((c) => [c.input, c] as const))(
    'rejects %j with the same error',
    (_input, c) => {
      let err: unknown;
      try {
        parse(c.input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      const pe = err as ParseError;
      if (c.errMsg !== undefined) expect(pe.message).toContain(c.errMsg);
      expect(pe.positionRange.start).toBeGreaterThanOrEqual(0);
      expect(pe.positionRange.start).toBeLessThanOrEqual(pe.positionRange.end);
      expect(pe.positionRange.end).toBeLessThanOrEqual(Buffer.byteLength(c.input));
    },
  );
});
