import { errors, nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type PublishAck, type StreamSpec } from './bus';
import {
  CHUNK_HEADER_BUDGET,
  ChunkHeaders,
  chunkMsgId,
  formatChunkPart,
  newChunkId,
  splitPayload,
} from './chunking';
import { headerBytes, toBytes, toNatsHeaders } from './codec';
import { retryTransient } from './transient-retry';
import {
  BusClosedError,
  ChunkingNotSupportedError,
  ProvisioningError,
  PublishFailedError,
} from './errors';

/** JetStream's API error code for "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;
/** JetStream's default deduplication window, kept when a spec names none. */
const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;

/** Translates a declared stream into JetStream's configuration. */
export function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: {
      limits: RetentionPolicy.Limits,
      workqueue: RetentionPolicy.Workqueue,
      interest: RetentionPolicy.Interest,
    }[spec.retention ?? 'limits'],
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: spec.maxAgeMs ? nanos(spec.maxAgeMs) : 0,
    max_bytes: spec.maxBytes ?? -1,
    // JetStream refuses a dedup window longer than the retention, so a short-lived stream gets a shorter window.
    duplicate_window: nanos(
      Math.min(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS, spec.maxAgeMs || Infinity),
    ),
    num_replicas: spec.replicas ?? 1,
  };
}

/** Stream provisioning and acknowledged, deduplicated publishing. */
export class StreamPublisher {
  private readonly retentionOf = new Map<string, { stream: string; retention: string }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: () => Promise<JetStreamManager>,
  ) {}

  /** Creates the stream, or updates it to the spec when it exists; safe to call from every instance. */
  async ensureStream(spec: StreamSpec): Promise<void> {
    try {
      await retryTransient(() => this.createOrUpdate(spec));
    } catch (error) {
      throw new ProvisioningError(`stream ${spec.name}`, { cause: error });
    }
  }

  private async createOrUpdate(spec: StreamSpec): Promise<void> {
    const config = streamConfig(spec);
    const jsm = await this.jsm();
    const exists = await jsm.streams.info(spec.name).then(
      () => true,
      (error: unknown) => {
        if (error instanceof JetStreamApiError && error.code === 10059) return false;
        throw error;
      },
    );
    if (!exists) {
      try {
        await jsm.streams.add(config);
        return;
      } catch (error) {
        // Another instance created it between our info and add: fall through to update.
        if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
      }
    }
    const { name: _name, ...update } = config;
    await jsm.streams.update(spec.name, update);
  }

  /** Publishes and waits for the stream's ack; above max_payload the data goes as chunks with derived ids. */
  async publish(
    subject: string,
    data: Uint8Array | object,
    options?: { msgId?: string; headers?: Record<string, string> },
  ): Promise<PublishAck> {
    const body = toBytes(data);
    const max = this.nc.info?.max_payload ?? 1024 * 1024;
    const size = Math.max(1024, max - CHUNK_HEADER_BUDGET - headerBytes(options?.headers));
    try {
      if (body.length <= size) {
        const ack = await this.js.publish(subject, body, {
          ...(options?.msgId ? { msgID: options.msgId } : {}),
          ...(options?.headers ? { headers: toNatsHeaders(options.headers) } : {}),
        });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      }
      await this.assertChunkable(subject);
      return await this.publishChunks(subject, splitPayload(body, size), body.length, options);
    } catch (error) {
      if (error instanceof ChunkingNotSupportedError) throw error;
      if (
        error instanceof errors.ClosedConnectionError ||
        error instanceof errors.DrainingConnectionError
      ) {
        throw new BusClosedError(
          `cannot publish to ${subject}: the connection is closed or draining`,
          { cause: error },
        );
      }
      throw new PublishFailedError(subject, { cause: error });
    }
  }

  private async publishChunks(
    subject: string,
    parts: Uint8Array[],
    totalBytes: number,
    options?: { msgId?: string; headers?: Record<string, string> },
  ): Promise<PublishAck> {
    const group = options?.msgId ?? newChunkId();
    const seqs: number[] = [];
    let duplicates = 0;
    let last: PublishAck | null = null;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      const headers = toNatsHeaders({
        ...options?.headers,
        [ChunkHeaders.part]: formatChunkPart(i, parts.length),
        [ChunkHeaders.id]: group,
        [ChunkHeaders.bytes]: String(totalBytes),
        ...(isLast ? { [ChunkHeaders.seqs]: seqs.join(',') } : {}),
      });
      const ack = await this.js.publish(subject, parts[i], {
        msgID: chunkMsgId(group, i, parts.length),
        headers,
      });
      if (ack.duplicate) duplicates++;
      seqs.push(ack.seq);
      last = { stream: ack.stream, seq: ack.seq, duplicate: false };
    }
    if (!last) throw new Error('no chunk published');
    return { ...last, duplicate: duplicates === parts.length };
  }

  /**
   * Consumers acknowledge the leading chunks as they pass and read them back by sequence when the
   * last one arrives, so the stream must keep acknowledged messages: only limits retention does.
   */
  private async assertChunkable(subject: string): Promise<void> {
    let known = this.retentionOf.get(subject);
    if (!known) {
      const jsm = await this.jsm();
      const stream = await jsm.streams.find(subject);
      const info = await jsm.streams.info(stream);
      known = { stream, retention: info.config.retention };
      this.retentionOf.set(subject, known);
    }
    if (known.retention !== RetentionPolicy.Limits)
      throw new ChunkingNotSupportedError(known.stream, known.retention);
  }
}
