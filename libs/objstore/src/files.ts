// Only what a client writing files needs, without the bucket clients (and the AWS SDK) behind the index.
export { BatchedFileWriter } from './filesystem/batched-file-writer';
export {
  alignedBuffer,
  DIRECT_ALIGN,
  directReadLength,
  openForReading,
  openForWriting,
  type ReadSource,
  type WriteTarget,
} from './filesystem/direct-io';
