export * from './parser/ast';
export { Labels, METRIC_NAME, compareLabels } from './storage/labels';
export type {
  Matcher,
  MatcherType,
  Querier,
  Queryable,
  SampleIterator,
  SelectHints,
  StorageSeries,
} from './storage/queryable';
export { MemoryQueryable, STALE_NAN, isStaleNaN } from './storage/memory-queryable';
export { Engine, type EngineOptions, type QueryResult } from './engine/engine';
export { Annotations, type Annotation, type AnnotationKind } from './engine/annotations';
export { PromQLError, EvalError, QueryTimeoutError, TooManySamplesError } from './engine/errors';
export type { Sample, Series, Vector, Matrix, Scalar, StringValue, QueryValue } from './engine/types';
