import { SECRET_MASK } from '../control/secrets';
import { type PipelineSpec, type SinkSpec } from './pipeline-spec';

/** Sink options that are credentials, by sink type (Vector marks the same ones sensitive). */
const SECRET_OPTIONS: Partial<Record<SinkSpec['type'], readonly string[]>> = {
  s3: ['access_key_id', 'secret_access_key'],
};

/** Request headers whose values are credentials (compared in lower case). */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key']);

/** A credential written as the mask where the previous version stored none, by its path in the spec. */
export interface MissingPipelineSecret {
  path: string;
}

type Mutable = Record<string, unknown>;

/** Calls `at` with each credential of the spec: its path, the object holding it and its key. */
function eachSecret(
  spec: PipelineSpec,
  at: (path: string, holder: Mutable, key: string) => void,
): void {
  for (const [id, sink] of Object.entries(spec.sinks)) {
    const holder = sink as Mutable;
    for (const key of SECRET_OPTIONS[sink.type] ?? [])
      if (typeof holder[key] === 'string') at(`sinks.${id}.${key}`, holder, key);
    const headers = holder.headers as Record<string, string> | undefined;
    if (headers)
      for (const name of Object.keys(headers))
        if (SECRET_HEADERS.has(name.toLowerCase()))
          at(`sinks.${id}.headers.${name}`, headers, name);
  }
}

/**
 * A copy of the spec with each credential replaced by what `fn` makes of it (given its value and
 * its path, such as `sinks.bucket.secret_access_key`): how credentials are sealed and opened.
 */
export function mapPipelineSecrets<T extends PipelineSpec>(
  spec: T,
  fn: (value: string, path: string) => string,
): T {
  const copy = structuredClone(spec);
  eachSecret(copy, (path, holder, key) => (holder[key] = fn(String(holder[key]), path)));
  return copy;
}

/** The credentials of a spec by path. */
export function pipelineSecretsOf(spec: PipelineSpec): Map<string, string> {
  const found = new Map<string, string>();
  eachSecret(spec, (path, holder, key) => found.set(path, String(holder[key])));
  return found;
}

/** A copy of the spec with every credential (S3 keys, authorization headers) shown as {@link SECRET_MASK}. */
export function maskPipelineSecrets<T extends PipelineSpec>(spec: T): T {
  const copy = structuredClone(spec);
  eachSecret(copy, (_path, holder, key) => (holder[key] = SECRET_MASK));
  return copy;
}

/**
 * The spec with each credential written as {@link SECRET_MASK} replaced by the value the previous
 * version stored at the same place, so a read, edit and write keeps credentials it never saw; the
 * paths of masked credentials the previous version does not have.
 */
export function keepPipelineSecrets<T extends PipelineSpec>(
  next: T,
  previous: PipelineSpec | null,
): { spec: T; missing: MissingPipelineSecret[] } {
  const stored = new Map<string, string>();
  if (previous) eachSecret(previous, (path, holder, key) => stored.set(path, String(holder[key])));
  const spec = structuredClone(next);
  const missing: MissingPipelineSecret[] = [];
  eachSecret(spec, (path, holder, key) => {
    if (holder[key] !== SECRET_MASK) return;
    const value = stored.get(path);
    if (value === undefined) missing.push({ path });
    else holder[key] = value;
  });
  return { spec, missing };
}
