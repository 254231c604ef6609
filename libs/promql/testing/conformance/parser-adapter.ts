import { parseExpr } from '../../src/parser/parser';
import { parseSeriesDesc } from '../../src/parser/series-desc';
import { Labels } from '../../src/storage/labels';
import { type ConformanceParser } from './runner';

/** The project's PromQL parser in the shape the conformance runner needs. */
export const promqlParser: ConformanceParser = {
  // promqltest enables experimental functions for the whole suite.
  parseExpr: (q) => parseExpr(q, { enableExperimentalFunctions: true }),
  parseSeriesDesc: (desc) => {
    const r = parseSeriesDesc(desc);
    return {
      labels: Labels.fromPairs(r.labels.map((l) => [l.name, l.value] as const)),
      values: r.values.map((v) => ({
        value: v.value,
        omitted: v.omitted,
        histogram: false,
        stale: v.stale === true,
      })),
    };
  },
};
