export * from './content-type';
export * from './decode';
export * from './errors';
export * from './ingest-codec';
export * from './ingest-batch';
export * from './series-hash';
export * from './types';
export { DEFAULT_VALIDATION, type ValidationOptions, type ResolvedValidation } from './validate';
export { compressBlock, decompressBlock } from './snappy';
export * from './decoded-series';
export { LabelInjection, NO_INJECTION, type InjectedLabel } from './label-block-builder';
export {
  encodeSamplesV1,
  marshalSamplesV1,
  type EncodableSeries,
  type EncodableSample,
} from './encode';
