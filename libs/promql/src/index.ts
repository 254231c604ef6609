// The public surface of the PromQL library: the syntax tree, the parser, the printer and the
// function table. Everything else under ./parser is internal.
export * from './parser/ast';
export { parseExpr, parseMetricSelector } from './parser/parser';
export { type ParseOptions } from './parser/token-stream';
export { ParseError } from './parser/parse-error';
export { formatExpr, formatMatcher } from './parser/printer';
export {
  FUNCTIONS,
  getFunction,
  AGGREGATORS_WITH_PARAM,
  EXPERIMENTAL_AGGREGATORS,
} from './parser/functions';
export { compilePromRegex } from '@strata/prom-regex';
export { parseDuration, formatDuration } from './parser/durations';
export { parseSeriesDesc, type SeriesDesc, type SequenceValue } from './parser/series-desc';
export { durationExprError } from './parser/duration-check';
export { exprToJson, type JsonTree } from './parser/json-tree';
export { Labels, METRIC_NAME, compareLabels, type Matcher } from './storage/labels';
export type {
  Querier,
  Queryable,
  SampleBuffer,
  SampleIterator,
  SelectHints,
  StorageSeries,
} from './storage/queryable';
export { matchesValue, matchesAll } from './storage/queryable';
export { MemoryQueryable } from './storage/memory-queryable';
export { Engine, type EngineOptions, type QueryOptions, type QueryResult } from './engine/engine';
export { goSort, type GoSortRelease } from './engine/go-sort';
export { Annotations, type Annotation, type AnnotationKind } from './engine/annotations';
export {
  PromQLError,
  EvalError,
  QueryTimeoutError,
  QueryCanceledError,
  TooManySamplesError,
} from './engine/errors';
export type {
  Sample,
  Series,
  Vector,
  Matrix,
  Scalar,
  StringValue,
  QueryValue,
} from './engine/types';
