import { gzipSync } from 'node:zlib';
import { type LogRecord, type SinkSpec } from '@strata/contracts';
import { S3Bucket } from '@strata/objstore';
import {
  asSendError,
  expandDate,
  type LogSink,
  recordJson,
  SENT,
  type SendContext,
  type SendResult,
} from './log-sink';

type S3Spec = Extract<SinkSpec, { type: 's3' }>;

const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** A batch id as a key segment: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Writes gzipped NDJSON objects to a bucket, one or more per batch and hour:
 * `<prefix>/<tenant>/<YYYY-MM-DD>/<HH>/<batch id>-<n>.ndjson.gz`. Keys depend only on the batch
 * and its records, so a redelivered batch overwrites its own objects instead of adding copies.
 */
export class S3Sink implements LogSink {
  private readonly bucket: S3Bucket;
  private readonly maxBytes: number;

  constructor(spec: S3Spec) {
    this.bucket = new S3Bucket({
      bucket: spec.bucket,
      prefix: (spec.prefix ?? '').replace(/^\/+|\/+$/g, ''),
      endpoint: spec.endpoint,
      region: spec.region,
      forcePathStyle: spec.force_path_style,
      credentials:
        spec.access_key_id && spec.secret_access_key
          ? { accessKeyId: spec.access_key_id, secretAccessKey: spec.secret_access_key }
          : undefined,
      maxAttempts: 1,
    });
    this.maxBytes = spec.max_object_bytes ?? DEFAULT_MAX_OBJECT_BYTES;
  }

  async send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult> {
    const byHour = new Map<string, string[]>();
    for (const r of records) {
      const dir = `${ctx.tenantId}/${expandDate('%Y-%m-%d/%H', r.timestampNs)}`;
      const lines = byHour.get(dir) ?? [];
      lines.push(JSON.stringify(recordJson(r)));
      byHour.set(dir, lines);
    }
    try {
      for (const [dir, lines] of byHour) {
        let part = 0;
        let chunk: string[] = [];
        let size = 0;
        const flush = async () => {
          if (chunk.length === 0) return;
          const body = gzipSync(`${chunk.join('\n')}\n`);
          await this.bucket.put(`${dir}/${safeId(ctx.batchId)}-${part++}.ndjson.gz`, body, {
            signal: ctx.signal,
          });
          chunk = [];
          size = 0;
        };
        for (const line of lines) {
          if (size > 0 && size + line.length + 1 > this.maxBytes) await flush();
          chunk.push(line);
          size += line.length + 1;
        }
        await flush();
      }
    } catch (error) {
      throw asSendError(error);
    }
    return SENT;
  }

  close(): Promise<void> {
    return this.bucket.close();
  }
}
