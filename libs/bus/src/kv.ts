import { JetStreamApiError, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv';
import { type Stoppable } from './bus';
import { decodeJson, toBytes } from './codec';
import { KvKeyExistsError, KvRevisionConflictError, ProvisioningError } from './errors';
import { retryTransient } from './transient-retry';

/** JetStream's code for a failed "expected last subject sequence" check. */
const WRONG_LAST_SEQUENCE = 10071;

/** Limits of a bucket, applied when it is created. */
export interface KvBucketOptions {
  /** Age after which a value expires (leases use this so a dead owner's key vanishes). */
  ttlMs?: number;
  /** Revisions kept per key. */
  history?: number;
  replicas?: number;
  storage?: 'file' | 'memory';
}

/** One stored value and the revision to pass to `update`. */
export interface KvValue {
  key: string;
  value: Uint8Array;
  revision: number;
  json<T>(): T;
}

/** A change seen by a watch; deletes and purges carry no value. */
export interface KvChange extends KvValue {
  operation: 'put' | 'delete';
}

/** A running watch: iterate it for changes, stop it when done. */
export interface KvWatch extends AsyncIterable<KvChange>, Stoppable {}

/** A key-value bucket with compare-and-set writes, e.g. for leases. */
export interface KvBucket {
  readonly name: string;
  get(key: string): Promise<KvValue | null>;
  /** Writes unconditionally and returns the new revision. */
  put(key: string, value: Uint8Array | object): Promise<number>;
  /** Writes only when the key has no value; otherwise throws `KvKeyExistsError`. */
  create(key: string, value: Uint8Array | object): Promise<number>;
  /** Writes only when the key is still at `revision`; otherwise throws `KvRevisionConflictError`. */
  update(key: string, value: Uint8Array | object, revision: number): Promise<number>;
  /** Deletes, only at `revision` when given. */
  delete(key: string, options?: { revision?: number }): Promise<void>;
  /** Streams the current values (unless `updatesOnly`) then every change of `key` (a pattern, `>` by default). */
  watch(options?: { key?: string; updatesOnly?: boolean }): Promise<KvWatch>;
  keys(filter?: string): Promise<string[]>;
}

/** Something that opens KV buckets; `NatsBus` is one. */
export interface KvProvider {
  openKv(bucket: string, options?: KvBucketOptions): Promise<KvBucket>;
}

function toValue(entry: KvEntry): KvValue {
  return {
    key: entry.key,
    value: entry.value,
    revision: entry.revision,
    json: <T>() => decodeJson<T>(entry.value),
  };
}

function isWrongSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
}

async function ensureReplicas(
  js: JetStreamClient,
  stream: string,
  replicas: number,
): Promise<void> {
  const jsm = await js.jetstreamManager();
  const { config } = await jsm.streams.info(stream);
  if (config.num_replicas === replicas) return;
  const { name: _name, ...update } = config;
  await jsm.streams.update(stream, { ...update, num_replicas: replicas });
}

/** Opens `bucket`, creating it with `options` when it does not exist. */
export async function openKvBucket(
  js: JetStreamClient,
  bucket: string,
  options: KvBucketOptions = {},
): Promise<KvBucket> {
  let kv: KV;
  try {
    kv = await retryTransient(async () => {
      const opened = await new Kvm(js).create(bucket, {
        ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
        history: options.history ?? 1,
        replicas: options.replicas ?? 1,
        storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
      });
      // Kvm.create binds to an existing bucket as it is; a bucket made before the replica count was
      // raised (a single node grown into a cluster) is brought to it, as streams are by ensureStream.
      if (options.replicas !== undefined)
        await ensureReplicas(js, `KV_${bucket}`, options.replicas);
      return opened;
    });
  } catch (error) {
    throw new ProvisioningError(`KV bucket ${bucket}`, { cause: error });
  }
  return {
    name: bucket,
    async get(key) {
      const entry = await kv.get(key);
      return entry && entry.operation === 'PUT' ? toValue(entry) : null;
    },
    put: (key, value) => kv.put(key, toBytes(value)),
    async create(key, value) {
      try {
        return await kv.create(key, toBytes(value));
      } catch (error) {
        if (isWrongSequence(error)) throw new KvKeyExistsError(bucket, key, { cause: error });
        throw error;
      }
    },
    async update(key, value, revision) {
      try {
        return await kv.update(key, toBytes(value), revision);
      } catch (error) {
        if (isWrongSequence(error))
          throw new KvRevisionConflictError(bucket, key, revision, { cause: error });
        throw error;
      }
    },
    async delete(key, opts) {
      try {
        await kv.delete(
          key,
          opts?.revision !== undefined ? { previousSeq: opts.revision } : undefined,
        );
      } catch (error) {
        if (isWrongSequence(error) && opts?.revision !== undefined)
          throw new KvRevisionConflictError(bucket, key, opts.revision, { cause: error });
        throw error;
      }
    },
    async watch(opts) {
      const iter = await kv.watch({
        key: opts?.key ?? '>',
        include: opts?.updatesOnly ? KvWatchInclude.UpdatesOnly : KvWatchInclude.LastValue,
      });
      return {
        async *[Symbol.asyncIterator]() {
          for await (const e of iter)
            yield {
              ...toValue(e),
              operation: e.operation === 'PUT' ? ('put' as const) : ('delete' as const),
            };
        },
        stop: async () => {
          iter.stop();
          await Promise.resolve();
        },
      };
    },
    // From the stream's subject index (one API request, with a timeout), not from a consumer as
    // nats.js lists keys: that consumer waits for its last key forever when the key expires in
    // flight or a cluster node dies under it, which stalled the ingesters' lease rounds.
    async keys(filter) {
      const prefix = `$KV.${bucket}.`;
      const jsm = await js.jetstreamManager();
      const info = await jsm.streams.info(`KV_${bucket}`, {
        subjects_filter: `${prefix}${filter ?? '>'}`,
      });
      const candidates = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
      // A deleted key keeps its tombstone as the last message until it ages out.
      const live = await Promise.all(
        candidates.map(async (k) => ((await kv.get(k))?.operation === 'PUT' ? k : null)),
      );
      return live.filter((k): k is string => k !== null).sort();
    },
  };
}
