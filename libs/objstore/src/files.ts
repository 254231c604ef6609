// A second entry point without the S3 client, for callers that only write local files (the CLI).
export { BatchedFileWriter } from './filesystem/batched-file-writer';
