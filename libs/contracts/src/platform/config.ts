import { z } from 'zod';
import { parsePromDurationMs, parseStoreTimeBoundaries } from '../ingest/store-sharding';
import { SERVICE_NAMES, type ServiceName } from '../subjects';

const port = z.coerce.number().int().min(1).max(65535);
/** A comma-separated list of NATS URLs: one server, or several members of a cluster to start from. */
const natsUrls = z
  .string()
  .refine((v) => v.split(',').every((u) => z.string().url().safeParse(u.trim()).success), {
    message: 'expected a URL or a comma-separated list of URLs',
  });
const optionalPath = z
  .string()
  .optional()
  .transform((v) => (v && v.length > 0 ? v : undefined));

function validStoreTimeBoundaries(value: string): boolean {
  try {
    parseStoreTimeBoundaries(value);
    return true;
  } catch {
    return false;
  }
}

function validDuration(value: string): boolean {
  try {
    parsePromDurationMs(value);
    return true;
  } catch {
    return false;
  }
}

/** `s3://bucket[/prefix]`, `file:///path`, or a path without a URL scheme. */
function validBucketUrl(value: string): boolean {
  if (value.startsWith('s3://')) return /^s3:\/\/[^/?#]+(\/[^?#]*)?$/.test(value);
  if (value.startsWith('file://')) return value.startsWith('file:///');
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds of a Prometheus-style duration (`2h`, `1h30m`, `10s`), or null when it is not one or not positive. */
export function parseBlockDuration(value: string): number | null {
  const parts = /^(?:\d+(?:ms|s|m|h|d))+$/.test(value) ? value.match(/\d+(?:ms|s|m|h|d)/g) : null;
  if (!parts) return null;
  let ms = 0;
  for (const p of parts) {
    const unit = p.replace(/^\d+/, '');
    ms += Number(p.slice(0, p.length - unit.length)) * DURATION_UNITS[unit];
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/**
 * Environment variables every Strata process reads, with their defaults. The deploy manifests
 * are checked against this schema, so a variable a manifest sets must be named here.
 */
/** A Prometheus duration variable, parsed to milliseconds. */
function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseBlockDuration(v);
      if (ms === null) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'expected a duration such as 1h or 10m',
        });
        return z.NEVER;
      }
      return ms;
    });
}

/** Parses compaction ranges (`2h,8h,2d,14d`) to milliseconds; null unless each is a multiple of the previous. */
export function parseCompactionRanges(spec: string): number[] | null {
  const out = spec.split(',').map((p) => parseBlockDuration(p.trim()));
  if (out.some((r) => r === null)) return null;
  const ms = out as number[];
  for (let i = 1; i < ms.length; i++)
    if (ms[i] <= ms[i - 1] || ms[i] % ms[i - 1] !== 0) return null;
  return ms;
}

function validRanges(spec: string): boolean {
  return parseCompactionRanges(spec) !== null;
}

export const PlatformEnv = z.object({
  /** Which services this process runs: `all`, or a comma-separated list of service names. */
  STRATA_TARGET: z.string().default('all'),
  /** One NATS URL, or several members of a cluster (`nats://a:4222,nats://b:4222`) so the first connect survives one being down. */
  NATS_URL: natsUrls.default('nats://127.0.0.1:4222'),
  /**
   * NATS credentials. The user is the process's identity (its service, or `monolith` for several
   * services in one process) unless `NATS_USER` names another. The password is `NATS_PASSWORD`,
   * or else the file `<identity>.password` in `NATS_CREDENTIALS_DIR` (a mounted Secret, or the
   * directory the start and test commands generate). With neither, the process connects without
   * credentials.
   */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_CREDENTIALS_DIR: optionalPath,
  /** TLS to NATS: the CA that signed the server's certificate; with a certificate and key, the client's own (mutual TLS). */
  NATS_TLS_CA: optionalPath,
  NATS_TLS_CERT: optionalPath,
  NATS_TLS_KEY: optionalPath,
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/strata'),
  /** Port of the gateway's HTTP API. */
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * The internal HTTP listener every process runs, one per process whatever it runs: `/metrics`
   * (the platform's own metrics, which name tenants, so never on the public port), `/healthz` and
   * `/readyz`. Keep it off the public network, as Thanos' and Mimir's HTTP ports; 0 picks a free port.
   */
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Platform admin bearer token, or a file that holds it. One of the two is required by the gateway. */
  STRATA_ADMIN_TOKEN: z.string().min(16).optional(),
  STRATA_ADMIN_TOKEN_FILE: optionalPath,
  /**
   * Keys that seal credentials stored in the control plane (sinks' keys and auth headers): base64
   * of 32 random bytes each, comma- or newline-separated, the first sealing and all opening (add a
   * new key first to rotate). Or a file that holds them. The control plane seals with it and
   * logflow opens with it; without one, credentials can be neither stored nor used.
   */
  STRATA_SECRET_KEY: z
    .string()
    .optional()
    .transform((v) => (v && v.length > 0 ? v : undefined))
    .refine(
      (v) =>
        v === undefined ||
        v
          .split(/[\n,]/)
          .map((k) => k.trim())
          .filter(Boolean)
          .every((k) => /^[A-Za-z0-9+/]{43}=$/.test(k)),
      { message: 'expected base64 of 32 bytes per key, comma-separated' },
    ),
  STRATA_SECRET_KEY_FILE: optionalPath,
  /** Serve HTTPS when both are set. */
  TLS_CERT_FILE: optionalPath,
  TLS_KEY_FILE: optionalPath,
  /** Local state: head snapshots, caches. */
  STRATA_DATA_DIR: z.string().default('./.strata/data'),
  /**
   * The bucket that keeps blocks (and model artifacts): `s3://bucket/prefix` for S3 or any
   * S3-compatible store, `file:///abs/path` or a plain path for a local folder. Default: the
   * folder `bucket` in STRATA_DATA_DIR.
   */
  STRATA_BUCKET_URL: optionalPath.refine((v) => v === undefined || validBucketUrl(v), {
    message: 'expected s3://bucket/prefix, file:///absolute/path or a path',
  }),
  /** For an s3:// bucket, the usual AWS variables: an S3-compatible endpoint, the region, static credentials. */
  AWS_ENDPOINT_URL: optionalPath.refine((v) => v === undefined || /^https?:\/\/[^/]/.test(v), {
    message: 'expected http(s)://host[:port]',
  }),
  AWS_REGION: optionalPath,
  AWS_ACCESS_KEY_ID: optionalPath,
  AWS_SECRET_ACCESS_KEY: optionalPath,
  AWS_SESSION_TOKEN: optionalPath,
  /** Path-style S3 requests (`endpoint/bucket/key`), which MinIO, Ceph and s3rver need. */
  STRATA_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Header that names the tenant of a request (Cortex/Mimir convention). */
  STRATA_TENANT_HEADER: z.string().default('X-Scope-OrgID'),
  /** Largest request body the gateway reads. */
  STRATA_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Largest block tar `POST /api/v1/admin/tenants/:id/blocks` accepts (streamed to disk, not held in memory). */
  STRATA_MAX_BLOCK_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024 * 1024),
  /** Partitions of the ingest stream; fixed for the life of the stream (series are placed by hash modulo this). */
  STRATA_INGEST_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(8),
  /** Retention of the ingest stream (the write-ahead log): age in seconds and size in bytes. */
  STRATA_INGEST_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  STRATA_INGEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 ** 3),
  /** Router validation limits that are not per-tenant quotas (defaults as Mimir). */
  STRATA_MAX_LABEL_NAME_LENGTH: z.coerce.number().int().positive().default(1024),
  STRATA_MAX_LABEL_VALUE_LENGTH: z.coerce.number().int().positive().default(2048),
  STRATA_MAX_SERIES_PER_REQUEST: z.coerce.number().int().positive().default(10_000),
  /**
   * The all-in-one start (`apps/strata`, `npm start`) with the router among several services:
   * `separate` runs the router in a supervised second Node process, so decoding and encoding writes
   * get a core of their own while queries stay in-process with the ingester; `inline` (the default)
   * keeps every service in one process. On a 2-core machine, where nats-server and Postgres share
   * the cores, the second process cost more CPU than it freed (`tools/bench/remote-write/README.md`).
   */
  STRATA_ROUTER_PROCESS: z.enum(['separate', 'inline']).default('inline'),
  /** Router: worker threads that decode and encode writes beside the event loop (0: on it). */
  STRATA_ROUTER_CODEC_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /**
   * Router: how many writes' parts for one partition one JetStream message may hold (group commit:
   * what arrives while that partition's previous publish is in flight is stored together). 1 turns
   * batching off: one message per write and partition.
   */
  STRATA_INGEST_BATCH_WRITES: z.coerce.number().int().min(1).max(1024).default(64),
  /**
   * Ingester: exemplars kept per tenant, spread evenly over the partitions; the oldest are
   * overwritten first, as in Prometheus' exemplar storage (0 keeps none).
   */
  STRATA_MAX_EXEMPLARS_PER_TENANT: z.coerce.number().int().min(0).default(100_000),
  /**
   * Ingester: length of the blocks cut from each tenant's head and shipped to the bucket, as a
   * Prometheus duration (`2h`, `10m`, `10s`); blocks are aligned to multiples of it, and it is the
   * head's chunk range too. Prometheus' and Thanos' 2h by default.
   */
  STRATA_BLOCK_DURATION: z
    .string()
    .default('2h')
    .transform((v, ctx) => {
      const ms = parseBlockDuration(v);
      if (ms === null) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'expected a duration such as 2h, 30m or 10s',
        });
        return z.NEVER;
      }
      return ms;
    }),
  /** Ingester: seconds between head snapshots; time-to-live of a partition lease. */
  STRATA_SNAPSHOT_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  STRATA_LEASE_TTL_SECONDS: z.coerce.number().positive().default(10),
  /**
   * Replicas of every JetStream stream and KV bucket the platform declares (ingest stream, control
   * events, leases, active-series reports). 1 for a single nats-server; 3 on a 3-node cluster, so
   * losing one node loses nothing acknowledged. Raising it on a running cluster updates the streams.
   */
  STRATA_JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Store gateways: tenants are split among `STRATA_STORE_SHARDS` shards by consistent hash; a
   * store replica serves shard `STRATA_STORE_SHARD` (replicas of a shard share its requests).
   */
  STRATA_STORE_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
  STRATA_STORE_SHARD: z.coerce.number().int().min(0).max(1023).default(0),
  /**
   * Store gateways split by time too (Whizard's `timeRanges`): boundaries as durations before now,
   * oldest first (`14d,2d`: three partitions); empty for one. A replica serves partition
   * `STRATA_STORE_TIME_PARTITION` (0 = oldest). The query side reads the same value.
   */
  STRATA_STORE_TIME_RANGES: z
    .string()
    .default('')
    .refine((v) => validStoreTimeBoundaries(v), {
      message: 'expected durations before now, oldest first, e.g. 14d,2d',
    }),
  STRATA_STORE_TIME_PARTITION: z.coerce.number().int().min(0).max(64).default(0),
  /** Store gateway: seconds between listings of the bucket; a new block is served within this. */
  STRATA_STORE_SYNC_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  /** Store gateway: blocks kept open (index-header loaded) at once, and index-header bytes cached. */
  STRATA_STORE_MAX_OPEN_BLOCKS: z.coerce.number().int().positive().default(256),
  STRATA_STORE_INDEX_HEADER_CACHE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Store gateway: bytes of postings and series entries cached across queries. */
  STRATA_STORE_INDEX_CACHE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Store gateway: bytes of chunk segment pages (16 KiB each) cached across queries. */
  STRATA_STORE_CHUNK_CACHE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /**
   * Query: the store gateways are asked only when a request reaches further back than this before
   * now (Mimir's `-querier.query-store-after`, 12h there, where ingesters keep 13h); ingesters are
   * always asked. `0s`, the default, asks them always, so no sample is missed whatever the
   * ingesters keep. A Prometheus duration.
   */
  STRATA_QUERY_STORE_AFTER: z
    .string()
    .default('0s')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 12h or 0s' }),
  /**
   * Query frontend (gateway): range queries are split at multiples of this (`24h`: by UTC day, as
   * Thanos' and Mimir's `split_queries_by_interval`); `0s` does not split. A Prometheus duration.
   */
  STRATA_QUERY_SPLIT_INTERVAL: z
    .string()
    .default('24h')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 24h or 0s' }),
  /** Query frontend: bytes of results cached in memory across tenants; 0 caches nothing. */
  STRATA_QUERY_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(128 * 1024 * 1024),
  /**
   * Query frontend: results that read samples newer than this before now are never cached
   * (Mimir's `max_cache_freshness`, 10m). A Prometheus duration.
   */
  STRATA_QUERY_CACHE_MAX_FRESHNESS: z
    .string()
    .default('10m')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 10m' }),
  /** Query frontend: the longest a result stays cached (Mimir's `results_cache_ttl`, 7d). */
  STRATA_QUERY_CACHE_TTL: z
    .string()
    .default('7d')
    .refine((v) => validDuration(v) && parsePromDurationMs(v) > 0, {
      message: 'expected a positive duration such as 7d',
    }),
  /**
   * Query: labels that tell HA replicas apart (Thanos' `--query.replica-label`), comma-separated;
   * series differing only in them are deduplicated with Thanos' penalty algorithm. Empty: none.
   */
  STRATA_QUERY_REPLICA_LABELS: z.string().default(''),
  /**
   * Query: Thanos' partial response for requests that do not say (`partial_response=`): `true`
   * answers with what the reachable ingest partitions and store gateways hold, naming the others in
   * the response's `warnings`; `false`, the default (Mimir's behaviour), fails the request with 503.
   */
  STRATA_QUERY_PARTIAL_RESPONSE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Store gateway: how long a block marked for deletion is still served (Thanos'
   * `--ignore-deletion-marks-delay`), so a listing that saw a compaction's marks before its new
   * block never leaves a gap; shorter than `STRATA_COMPACTOR_DELETE_DELAY`.
   */
  STRATA_STORE_IGNORE_DELETION_MARKS_DELAY: duration('10m'),
  /** Model registry: unreferenced model blobs younger than this are kept (a push in flight may name them). */
  STRATA_MODEL_GC_GRACE_SECONDS: z.coerce.number().nonnegative().default(3600),
  /**
   * Model registry: whether registry webhooks may reach loopback, private and link-local addresses.
   * `false` by default, as MLflow: a URL naming one is refused when set, and a host resolving to
   * one is refused when each delivery connects (so DNS rebinding cannot get around it).
   */
  STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Model registry: a direct (presigned multipart) upload nothing was written to for this long is
   * aborted by the sweep and its staged parts deleted.
   */
  STRATA_MODEL_UPLOAD_GRACE_SECONDS: z.coerce.number().nonnegative().default(86_400),
  /** Model registry: seconds between the service's sweeps over every tenant's model blobs. */
  STRATA_MODEL_GC_INTERVAL_SECONDS: z.coerce.number().positive().default(3600),
  /** Compactor: seconds between cycles over the owned tenants (Thanos' `--wait-interval`). */
  STRATA_COMPACTOR_INTERVAL_SECONDS: z.coerce.number().positive().default(300),
  /**
   * Compactor: the ranges raw blocks are compacted into, shortest first (Thanos' 2h,8h,2d,14d);
   * the first is the ingesters' block length and is never a target.
   */
  STRATA_COMPACTOR_RANGES: z
    .string()
    .default('2h,8h,2d,14d')
    .refine((v) => validRanges(v), {
      message: 'expected increasing durations, each a multiple of the previous, e.g. 2h,8h,2d,14d',
    }),
  /** Compactor: a block marked for deletion is deleted this long after its mark (Thanos' `--delete-delay`). */
  STRATA_COMPACTOR_DELETE_DELAY: duration('1h'),
  /**
   * Compactor: a block folder without meta.json whose newest object is older than this is an
   * abandoned upload and is removed (longer than any upload takes).
   */
  STRATA_COMPACTOR_PARTIAL_UPLOAD_AGE: duration('1h'),
  /**
   * Compactor: replica labels dropped by vertical compaction (Thanos' `--deduplication.replica-label`),
   * comma-separated, and how the replicas then merge: `one-of` keeps every timestamp once (Thanos'
   * default), `penalty` follows one replica at a time (Thanos' `--deduplication.func=penalty`).
   */
  STRATA_COMPACTOR_REPLICA_LABELS: z.string().default(''),
  STRATA_COMPACTOR_DEDUP_FUNC: z.enum(['one-of', 'penalty']).default('one-of'),
  /** Compactor: tenants are split among replicas by consistent hash; this replica is shard N of M. */
  STRATA_COMPACTOR_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
  STRATA_COMPACTOR_SHARD: z.coerce.number().int().min(0).max(1023).default(0),
  /**
   * Compactor: retention per resolution for tenants the control plane does not give a quota for
   * (seconds; 0 keeps forever). A tenant's quota overrides them.
   */
  STRATA_COMPACTOR_RETENTION_RAW_SECONDS: z.coerce.number().int().min(0).default(0),
  STRATA_COMPACTOR_RETENTION_5M_SECONDS: z.coerce.number().int().min(0).default(0),
  STRATA_COMPACTOR_RETENTION_1H_SECONDS: z.coerce.number().int().min(0).default(0),
  /** Control plane: most rules one rule group may hold (Whizard's 40); 0: no limit. */
  STRATA_RULER_MAX_RULES_PER_GROUP: z.coerce.number().int().nonnegative().default(40),
  /** Ruler: evaluation interval of groups that set none (Prometheus' `evaluation_interval`). */
  STRATA_RULER_EVALUATION_INTERVAL: z
    .string()
    .default('1m')
    .refine((v) => validDuration(v) && parsePromDurationMs(v) > 0, {
      message: 'expected a duration such as 1m',
    }),
  /** Ruler: seconds between readings of the rule groups from the control plane (Mimir's `poll_interval`). */
  STRATA_RULER_POLL_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
  /**
   * Ruler: seconds a replica's membership and group leases live without renewal; a dead replica's
   * groups move once they expire, so keep it below the shortest evaluation interval.
   */
  STRATA_RULER_LEASE_TTL_SECONDS: z.coerce.number().positive().default(10),
  /**
   * Ruler: tenants (comma-separated) this replica is dedicated to, Whizard's ruler per tenant: it
   * evaluates their groups (their share of global groups included) and nothing else, and replicas
   * without the setting leave them alone. Empty: a shared replica, for every tenant not dedicated.
   */
  STRATA_RULER_TENANTS: z.string().default(''),
  /**
   * Ruler, on a dedicated replica: seconds its tenants' groups wait unevaluated for one of their
   * replicas to come back after the last is gone, before the shared replicas take them over.
   */
  STRATA_RULER_TENANT_HOLD_SECONDS: z.coerce.number().positive().default(3600),
  /**
   * Ruler: Alertmanager base URLs (comma-separated) alerts are sent to with `POST /api/v2/alerts`;
   * `{tenant}` in a URL is replaced by the tenant id, and `X-Scope-OrgID` names it (Mimir's
   * multi-tenant Alertmanager). Empty: alerts go to NATS only.
   */
  STRATA_RULER_ALERTMANAGER_URL: z.string().default(''),
  /** Ruler: Prometheus' `--rules.alert.resend-delay`. */
  STRATA_RULER_RESEND_DELAY: z
    .string()
    .default('1m')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 1m' }),
  /** Ruler: the URL alerts link back to (`generatorURL`, `$externalURL`), Prometheus' `--web.external-url`. */
  STRATA_RULER_EXTERNAL_URL: z.string().default(''),
  /** Ruler: Prometheus' `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period`. */
  STRATA_RULER_FOR_OUTAGE_TOLERANCE: z
    .string()
    .default('1h')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 1h' }),
  STRATA_RULER_FOR_GRACE_PERIOD: z
    .string()
    .default('10m')
    .refine((v) => validDuration(v), { message: 'expected a duration such as 10m' }),
  /**
   * Compactor: a raw block spanning at least this is downsampled to 5 m, a 5 m block spanning at
   * least the second to 1 h (Thanos' 40h and 10d); `STRATA_COMPACTOR_DOWNSAMPLING=false` turns
   * downsampling off (Thanos' `--downsampling.disable`).
   */
  STRATA_COMPACTOR_DOWNSAMPLE_5M_SPAN: duration('40h'),
  STRATA_COMPACTOR_DOWNSAMPLE_1H_SPAN: duration('10d'),
  STRATA_COMPACTOR_DOWNSAMPLING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Events: largest body of the Kubernetes event and audit webhook routes (an audit batch of 400 at RequestResponse level fits). */
  STRATA_EVENTS_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Events: days of archive kept (whole day partitions are dropped; no quota field covers events yet). */
  STRATA_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /**
   * Events: Alertmanager base URLs (comma-separated) rule alerts and kube-events notifications are
   * also posted to with `POST /api/v2/alerts`, per process for every tenant, the tenant in
   * `X-Scope-OrgID` (as Mimir's ruler has one `-ruler.alertmanager-url`).
   */
  STRATA_EVENTS_ALERTMANAGER_URLS: z.string().default(''),
  /**
   * Notification: seconds between snapshots of the alerts held (a restart loads the last one and
   * replays the accepted-alert stream after it). Each snapshot rewrites every part re-posted alerts
   * touched, so with Prometheus re-posting every evaluation it costs more CPU the more often it runs.
   */
  STRATA_NOTIFICATION_SNAPSHOT_SECONDS: z.coerce.number().positive().default(30),
  /**
   * Notification: seconds a tenant's delivery lease lasts unrenewed (renewed every third of it).
   * One replica at a time sends a tenant's notifications; when it dies, another takes over once
   * its lease lapsed, so this bounds how long notifications wait for a survivor.
   */
  STRATA_NOTIFICATION_LEASE_SECONDS: z.coerce.number().positive().default(15),
  /**
   * Notification: hours the notification log keeps what was sent (Alertmanager's
   * `--data.retention`); a group not notified for longer counts as never notified. Applies when
   * the log's bucket is created.
   */
  STRATA_NOTIFICATION_LOG_RETENTION_HOURS: z.coerce.number().positive().default(120),
  /** Log sources: largest body of a log route (Loki push, `_bulk`, OTLP logs, `/api/v1/logs`), before and after decompression. */
  STRATA_LOGS_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Log sources: longest line accepted, in UTF-8 bytes (Loki's `max_line_size`); longer is refused. */
  STRATA_LOGS_MAX_LINE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /**
   * Log sources: syslog listeners the gateway opens, comma-separated `<tcp|udp>:<port>=<tenant>`
   * (e.g. `tcp:5514=team-a,udp:5514=team-a`). Empty: none.
   */
  STRATA_LOGS_SYSLOG: z.string().default(''),
  /** Log sources: a syslog listener stores a batch at this many lines, or this long after its first line. */
  STRATA_LOGS_SYSLOG_FLUSH_LINES: z.coerce.number().int().positive().default(1000),
  STRATA_LOGS_SYSLOG_FLUSH_MS: z.coerce.number().int().positive().default(200),
  /** Logflow: file sinks write below `<root>/<tenant>/` (default `<STRATA_DATA_DIR>/logflow-files`). */
  STRATA_LOGFLOW_FILE_ROOT: z.string().default(''),
  /** Logflow: batches one pipeline works on at once (its consumer's concurrency). */
  STRATA_LOGFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  /** Logflow: seconds between writes of `log_to_metric` counters and evaluations of log alert rules. */
  STRATA_LOGFLOW_METRICS_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type PlatformEnv = z.infer<typeof PlatformEnv>;

/** Names of the variables above, for manifests and docs. */
export const PLATFORM_ENV_NAMES = Object.keys(PlatformEnv.shape) as Array<keyof PlatformEnv>;

/** Parses `STRATA_TARGET` into the services to run; `all` is every service. */
export function parseTargets(target: string): ServiceName[] {
  const names = target
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return [...SERVICE_NAMES];
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `unknown target ${unknown.join(', ') || '(empty)'}; expected all or a list of ${SERVICE_NAMES.join(', ')}`,
    );
  }
  return names as ServiceName[];
}
