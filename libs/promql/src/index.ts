// The public surface of the PromQL library: the syntax tree, the parser, the printer and the
// function table. Everything else under ./parser is internal.
export * from './parser/ast';
export { parseExpr } from './parser/parser';
export { type ParseOptions } from './parser/token-stream';
export { ParseError } from './parser/parse-error';
export { formatExpr, formatMatcher } from './parser/printer';
export { FUNCTIONS, getFunction, AGGREGATORS_WITH_PARAM, EXPERIMENTAL_AGGREGATORS } from './parser/functions';
export { compilePromRegex } from './parser/regex';
export { parseDuration, formatDuration } from './parser/durations';
export { parseSeriesDesc, type SeriesDesc, type SequenceValue, STALE_NAN, STALE_NAN_BITS, isStaleNaN } from './parser/series-desc';
export { durationExprError } from './parser/duration-check';
export { exprToJson, type JsonTree } from './parser/json-tree';
