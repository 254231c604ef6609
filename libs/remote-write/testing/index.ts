// Remote write requests for specs, benchmarks and load generators: protobufjs encoders and a
// deterministic batch generator. Production code never imports this entry point.
export {
  encodeWriteRequestV1,
  encodeWriteRequestV2,
  marshalWriteRequestV1,
  marshalWriteRequestV2,
} from './encode';
export { generateBatch, rng, type GenerateOptions } from './generate';
export { remoteWrite, REMOTE_WRITE_V1_HEADERS } from './push';
export { splitByRanges, readRanges } from './byte-range-prototype';
