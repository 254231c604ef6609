// Only what a client writing files needs, without the bucket clients (and the AWS SDK) behind the index.
export { BatchedFileWriter } from './filesystem/batched-file-writer';
export { openForWriting, type WriteTarget } from './filesystem/direct-io';
