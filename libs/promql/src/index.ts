export * from './parser/ast';
export { parseExpr } from './parser/parser';
export { type ParseOptions } from './parser/token-stream';
export { ParseError } from './parser/parse-error';
export { formatExpr, formatMatcher } from './parser/printer';
export { FUNCTIONS, getFunction, AGGREGATORS_WITH_PARAM, EXPERIMENTAL_AGGREGATORS } from './parser/functions';
export { compilePromRegex } from './parser/regex';
export { parseDuration, formatDuration } from './parser/durations';
export { parseSeriesDesc, type SeriesDesc, type SequenceValue, STALE_NAN, STALE_NAN_BITS, isStaleNaN } from './parser/series-desc';
