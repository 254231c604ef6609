import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { freePort, waitForPort } from './ports';

export interface S3ServerOptions {
  /** Directory for the objects (`<dataDir>/objects`) and the log. */
  dataDir: string;
  /** HTTP port; a free one when omitted. */
  port?: number;
  /** Buckets created at start (existing ones keep their objects). */
  buckets?: readonly string[];
}

/** A local S3-compatible server and what a client needs to reach it. */
export interface RunningS3Server {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL; path-style addressing only. */
  endpoint: string;
  port: number;
  region: string;
  /** The one account s3rver knows; it checks request signatures against it. */
  accessKeyId: string;
  secretAccessKey: string;
  process: ManagedProcess;
}

/**
 * Starts s3rver (npm) on loopback as a child process, with the corrections of `s3rver-main.cjs`
 * that make it answer as S3 does; it stops when this process exits, even by a kill.
 */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  const objects = join(options.dataDir, 'objects');
  mkdirSync(objects, { recursive: true });
  const port = options.port ?? (await freePort());
  const server = spawnManaged({
    name: 's3rver',
    command: process.execPath,
    // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
    args: [
      '--openssl-legacy-provider',
      join(__dirname, 's3rver-main.cjs'),
      objects,
      String(port),
      String(process.pid),
      ...(options.buckets ?? []),
    ],
    logFile: join(options.dataDir, 's3rver.log'),
    env: { PATH: process.env.PATH },
  });
  await Promise.race([
    waitForPort(port, 's3rver'),
    server.exited.then((code) => {
      throw new Error(`s3rver exited with ${code}; see ${server.logFile}`);
    }),
  ]);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    process: server,
  };
}
