import { z } from 'zod';
import { TenantId } from '../control/ids';

/**
 * The input every pipeline starts from: the tenant's records as the sources stored them in
 * `STRATA_LOGS`. Transforms and sinks name it, or another transform, in `inputs`.
 */
export const PIPELINE_SOURCE_INPUT = 'source';

/** Ids of transforms and sinks: what `inputs` refer to (a route's outputs are `<id>.<name>`). */
export const PipelineComponentId = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, _ or - (at most 63)');

/**
 * Where a value of a record lives: `line`, `labels.<name>` or `fields.<path>` (dots go into
 * nested objects). Parsers write under `fields`.
 */
export const RecordPath = z
  .string()
  .regex(
    /^(line|labels\.[A-Za-z_][A-Za-z0-9_]*|fields(\.[^.\s]+)+)$/,
    'must be line, labels.<name> or fields.<path>',
  );
export type RecordPath = z.infer<typeof RecordPath>;

/** An RE2 pattern (checked when the pipeline is compiled; a bad one is refused with its path). */
const Pattern = z.string().min(1).max(4096);
/** A condition in the events rules language over `line`, `labels.*` and `fields.*`. */
const Condition = z.string().min(1).max(4096);
const Inputs = z.array(z.string().min(1).max(200)).min(1).max(64);

const parser = {
  inputs: Inputs,
  /** Text to parse (default `line`). */
  field: RecordPath.optional(),
  /** Object path the parsed keys go under (default: straight into `fields`). */
  target: RecordPath.optional(),
  /** Drop a record that does not parse instead of passing it on unchanged. */
  drop_invalid: z.boolean().optional(),
};

const ParseJson = z.object({ type: z.literal('parse_json'), ...parser }).strict();
const ParseLogfmt = z.object({ type: z.literal('parse_logfmt'), ...parser }).strict();
const ParseRegex = z
  .object({
    type: z.literal('parse_regex'),
    ...parser,
    /** Named captures (`(?P<name>...)`) become fields. */
    pattern: Pattern,
  })
  .strict();
/** RFC 5424 or 3164: header and structured data into fields, the message becomes the line. */
const ParseSyslog = z.object({ type: z.literal('parse_syslog'), ...parser }).strict();
/**
 * How long an unfinished event (a partial line, an open multiline record) at the end of a batch
 * waits for its next line before it goes on as it is (Vector's `timeout_ms`); 0 never waits.
 */
const TimeoutMs = z.number().int().min(0).max(600_000).optional();
const ParseCri = z
  .object({ type: z.literal('parse_cri'), inputs: Inputs, timeout_ms: TimeoutMs })
  .strict();
const ParseDocker = z
  .object({ type: z.literal('parse_docker'), inputs: Inputs, timeout_ms: TimeoutMs })
  .strict();

/** One rule of a multiline state machine (Fluent Bit's `rule "state" "/regex/" "next"`). */
export const MultilineRule = z
  .object({ state: z.string().min(1), pattern: Pattern, next: z.string().min(1) })
  .strict();
export type MultilineRule = z.infer<typeof MultilineRule>;

/** Built-in multiline machines for stack traces. */
export const MULTILINE_PRESETS = ['java', 'python', 'go'] as const;

const Multiline = z
  .object({
    type: z.literal('multiline'),
    inputs: Inputs,
    /** A built-in machine, or `rules` (starting at state `start_state`); exactly one of the two. */
    preset: z.enum(MULTILINE_PRESETS).optional(),
    rules: z.array(MultilineRule).min(1).max(64).optional(),
    /** Only lines with equal values here are merged together (default: `labels` as a whole). */
    group_by: z.array(RecordPath).max(16).optional(),
    /** Longest merged record, in lines. */
    max_lines: z.number().int().min(2).max(100_000).optional(),
    timeout_ms: TimeoutMs,
  })
  .strict();

const Filter = z
  .object({ type: z.literal('filter'), inputs: Inputs, condition: Condition })
  .strict();
const Route = z
  .object({
    type: z.literal('route'),
    inputs: Inputs,
    /** Output name to condition; a record goes to every output it matches, or `_unmatched`. */
    routes: z.record(PipelineComponentId, Condition),
  })
  .strict();
const Remap = z
  .object({
    type: z.literal('remap'),
    inputs: Inputs,
    /** Path to value; `${path}` in a value is replaced by the record's value there. */
    set: z.record(RecordPath, z.string().max(4096)).optional(),
    rename: z.record(RecordPath, RecordPath).optional(),
    delete: z.array(RecordPath).optional(),
  })
  .strict();
const Redact = z
  .object({
    type: z.literal('redact'),
    inputs: Inputs,
    /** Whole values replaced. */
    fields: z.array(RecordPath).optional(),
    /** Matches replaced in the line and in every string field. */
    patterns: z.array(Pattern).max(64).optional(),
    replacement: z.string().max(200).optional(),
  })
  .strict();
const Throttle = z
  .object({
    type: z.literal('throttle'),
    inputs: Inputs,
    /** Records kept per key and window; more are dropped. */
    threshold: z.number().int().min(1),
    window_ms: z.number().int().min(1).max(86_400_000),
    key_field: RecordPath.optional(),
  })
  .strict();
const Sample = z
  .object({
    type: z.literal('sample'),
    inputs: Inputs,
    /** Keep one record in `rate` (decided by a hash of the line, so a redelivery decides alike). */
    rate: z.number().int().min(1),
  })
  .strict();

/** A counter a pipeline keeps: one series per distinct label values. */
export const LogMetricSpec = z
  .object({
    name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name'),
    /** Label name to the record path it is read from (a missing value is the empty string). */
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), RecordPath),
  })
  .strict();
export type LogMetricSpec = z.infer<typeof LogMetricSpec>;

const LogToMetric = z
  .object({
    type: z.literal('log_to_metric'),
    inputs: Inputs,
    metrics: z.array(LogMetricSpec).min(1).max(16),
  })
  .strict();

/**
 * A log alert rule: `count_over_time` of the records that match (a label selector, a line filter,
 * a condition over parsed fields) over `window_ms`, compared with `threshold` (`>=`), firing after
 * `for_ms`. Records pass through unchanged; counting goes by arrival time.
 */
const LogAlert = z
  .object({
    type: z.literal('log_alert'),
    inputs: Inputs,
    alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label value name'),
    /** Label equality matchers (`{namespace="shop"}`). */
    selector: z.record(z.string(), z.string()).optional(),
    /** LogQL's `|= "text"`. */
    line_contains: z.string().min(1).max(4096).optional(),
    /** LogQL's `|~ "re"` (RE2). */
    line_regex: Pattern.optional(),
    /** Over parsed fields, e.g. `fields.level = "error"` after `parse_json` or `parse_logfmt`. */
    condition: Condition.optional(),
    window_ms: z.number().int().min(1000).max(86_400_000),
    threshold: z.number().int().min(1),
    for_ms: z.number().int().min(0).max(86_400_000).optional(),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** One transform of a pipeline, by `type`. */
export const TransformSpec = z.discriminatedUnion('type', [
  ParseJson,
  ParseLogfmt,
  ParseRegex,
  ParseSyslog,
  ParseCri,
  ParseDocker,
  Multiline,
  Filter,
  Route,
  Remap,
  Redact,
  Throttle,
  Sample,
  LogToMetric,
  LogAlert,
]);

export type TransformSpec = z.infer<typeof TransformSpec>;

/** How a sink retries before it dead-letters a batch. */
export const SinkDelivery = z
  .object({
    /** Attempts before the batch goes to the dead letters (`STRATA_LOGS_DEAD`). */
    max_attempts: z.number().int().min(1).max(100).optional(),
    /** First backoff; doubles per attempt up to 30 s. */
    backoff_ms: z.number().int().min(1).max(60_000).optional(),
    timeout_ms: z.number().int().min(100).max(300_000).optional(),
  })
  .strict();
export type SinkDelivery = z.infer<typeof SinkDelivery>;

/**
 * Records of several stored batches sent as one request (Vector's `batch`): sent once
 * `max_events` records or `max_bytes` of JSON are gathered, or `timeout_secs` after the first.
 */
export const SinkBatch = z
  .object({
    max_events: z.number().int().min(1).max(1_000_000).optional(),
    max_bytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .optional(),
    /** Below the buffer's 60 s acknowledgement wait. */
    timeout_secs: z.number().min(0).max(30).optional(),
  })
  .strict();
export type SinkBatch = z.infer<typeof SinkBatch>;

const sink = { inputs: Inputs, delivery: SinkDelivery.optional(), batch: SinkBatch.optional() };
const Url = z.string().url().max(2048);
const Headers = z.record(z.string(), z.string().max(4096));

const Blackhole = z.object({ type: z.literal('blackhole'), ...sink }).strict();
const FileSink = z
  .object({
    type: z.literal('file'),
    ...sink,
    /** Relative to the tenant's directory under `STRATA_LOGFLOW_FILE_ROOT`; `%Y %m %d %H` expand (UTC). */
    path: z
      .string()
      .min(1)
      .max(512)
      .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
        message: 'must be relative and must not contain ..',
      }),
    encoding: z.enum(['ndjson', 'text']).optional(),
  })
  .strict();
const HttpSink = z
  .object({
    type: z.literal('http'),
    ...sink,
    url: Url,
    encoding: z.enum(['ndjson', 'json']).optional(),
    headers: Headers.optional(),
  })
  .strict();
const LokiSink = z
  .object({
    type: z.literal('loki'),
    ...sink,
    /** Base URL (`/loki/api/v1/push` is appended) or the push URL itself. */
    url: Url,
    /** Stream labels: label name to record path. Default: the record's labels. */
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), RecordPath).optional(),
    encoding: z.enum(['protobuf', 'json']).optional(),
    /** Sent as `X-Scope-OrgID`. */
    tenant_id: z.string().max(200).optional(),
    headers: Headers.optional(),
  })
  .strict();
const ElasticsearchSink = z
  .object({
    type: z.literal('elasticsearch'),
    ...sink,
    url: Url,
    /** Index name; `%Y %m %d` expand from each record's timestamp (UTC). */
    index: z.string().min(1).max(255),
    headers: Headers.optional(),
  })
  .strict();

const S3Sink = z
  .object({
    type: z.literal('s3'),
    ...sink,
    bucket: z.string().min(3).max(63),
    /** Key prefix; objects go below `<prefix>/<tenant>/<YYYY-MM-DD>/<HH>/`. */
    prefix: z.string().max(512).optional(),
    /** An S3-compatible endpoint; AWS' own when absent. */
    endpoint: Url.optional(),
    region: z.string().max(64).optional(),
    access_key_id: z.string().max(256).optional(),
    secret_access_key: z.string().max(256).optional(),
    force_path_style: z.boolean().optional(),
    /** Largest object before gzip (records beyond go to the next object of the batch). */
    max_object_bytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .optional(),
  })
  .strict();

/** One sink of a pipeline, by `type`. */
export const SinkSpec = z.discriminatedUnion('type', [
  Blackhole,
  FileSink,
  HttpSink,
  LokiSink,
  ElasticsearchSink,
  S3Sink,
]);
export type SinkSpec = z.infer<typeof SinkSpec>;

/**
 * A tenant's log pipeline: transforms and sinks wired by `inputs` into a DAG that starts at
 * {@link PIPELINE_SOURCE_INPUT}, as Vector's configuration wires components.
 */
export const PipelineSpec = z
  .object({
    name: PipelineComponentId,
    transforms: z.record(PipelineComponentId, TransformSpec).default({}),
    sinks: z
      .record(PipelineComponentId, SinkSpec)
      .refine((s) => Object.keys(s).length > 0, { message: 'a pipeline needs a sink' }),
  })
  .strict();
export type PipelineSpec = z.infer<typeof PipelineSpec>;
/** What a client sends (transforms may be left out). */
export type PipelineSpecInput = z.input<typeof PipelineSpec>;

/** A pipeline as the control plane keeps it. */
export interface PipelineView {
  tenantId: string;
  pipeline: PipelineSpec;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Events of the pipeline aggregate. */
export type PipelineEvent =
  | { type: 'PipelineConfigured'; data: { tenantId: string; pipeline: PipelineSpec } }
  | { type: 'PipelineDeleted'; data: { tenantId: string; name: string } };

/** A pipeline's tenant and name, checked. */
export const PipelineRef = z.object({ tenantId: TenantId, name: PipelineComponentId }).strict();
