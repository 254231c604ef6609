import { PromApiError } from '@strata/contracts';
import { parseDuration as parsePromDuration } from '@strata/promql';

/** Bounds Prometheus uses for absent `start`/`end` of metadata lookups, in ms. */
export const MIN_TIME_MS = -9_223_309_901_257_974;
/** See `MIN_TIME_MS`. */
export const MAX_TIME_MS = 9_223_309_901_257_974;

/**
 * The parameters of one API call, read like Go's `Request.FormValue`: form-encoded body values
 * first, then the URL query.
 */
export class ApiParams {
  constructor(
    private readonly query: Record<string, unknown>,
    private readonly body: Record<string, unknown>,
  ) {}

  /** The first value of `name`, or '' when absent. */
  get(name: string): string {
    return this.all(name)[0] ?? '';
  }

  /** Every value of `name`, body values first. */
  all(name: string): string[] {
    return [...values(this.body[name]), ...values(this.query[name])];
  }
}

function values(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  return [String(v as string)];
}

const GO_FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a float the way Go's `strconv.ParseFloat` accepts decimal input, or returns null. */
export function parseGoFloat(s: string): number | null {
  if (!GO_FLOAT.test(s)) return null;
  const lower = s.toLowerCase().replace(/^[+]/, '');
  if (lower === 'nan') return NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity'))
    return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(s);
}

/** Prometheus' `parseTime`: unix seconds (ms precision) or RFC3339 with nanoseconds, to ms. */
export function parseTime(s: string): number {
  const f = parseGoFloat(s);
  if (f !== null && Number.isFinite(f)) {
    const whole = Math.trunc(f);
    return whole * 1000 + Math.round((f - whole) * 1000);
  }
  const m = RFC3339.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    const base = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec);
    const fracMs = frac ? Math.trunc(Number(`0.${frac}`) * 1000) : 0;
    const offset =
      zone === 'Z'
        ? 0
        : (zone.startsWith('-') ? -1 : 1) *
          (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) *
          60_000;
    if (
      !Number.isNaN(base) &&
      +mo >= 1 &&
      +mo <= 12 &&
      +d >= 1 &&
      +d <= 31 &&
      +h < 24 &&
      +mi < 60 &&
      +sec < 60
    )
      return base + fracMs - offset;
  }
  throw new Error(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** A time parameter, or `fallback` when absent, with Prometheus' `parseTimeParam` messages. */
export function timeParam(params: ApiParams, name: string, fallback: number): number {
  const v = params.get(name);
  if (v === '') return fallback;
  try {
    return parseTime(v);
  } catch (error) {
    throw PromApiError.invalidParam(
      name,
      `Invalid time value for '${name}': ${(error as Error).message}`,
    );
  }
}

/** A required time parameter (`start`/`end` of range queries), parsed without a fallback. */
export function requiredTimeParam(params: ApiParams, name: string): number {
  try {
    return parseTime(params.get(name));
  } catch (error) {
    throw PromApiError.invalidParam(name, (error as Error).message);
  }
}

/** Prometheus' `parseDuration`: float seconds or a duration like `5m`, in nanoseconds. */
export function parseDurationNs(s: string): number {
  const f = parseGoFloat(s);
  if (f !== null) {
    const ns = f * 1e9;
    if (!(ns <= 2 ** 63 && ns >= -(2 ** 63))) {
      throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    }
    return Math.trunc(ns);
  }
  try {
    return parsePromDuration(s) * 1e6;
  } catch {
    throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  }
}

/** A duration parameter in ms, or null when absent. */
export function durationParamMs(params: ApiParams, name: string): number | null {
  const v = params.get(name);
  if (v === '') return null;
  try {
    return Math.trunc(parseDurationNs(v) / 1e6);
  } catch (error) {
    throw PromApiError.invalidParam(name, (error as Error).message);
  }
}

/**
 * Thanos' `max_source_resolution`: `auto` (a fifth of the step), a duration, or null when absent
 * (raw data only); negative values are refused as Thanos' querier refuses them.
 */
export function maxSourceResolutionParam(params: ApiParams): number | 'auto' | null {
  const v = params.get('max_source_resolution');
  if (v === '') return null;
  if (v === 'auto') return 'auto';
  const ms = durationParamMs(params, 'max_source_resolution');
  if (ms !== null && ms < 0)
    throw PromApiError.invalidParam('max_source_resolution', 'negative duration is not accepted');
  return ms;
}

/** The `limit` parameter of metadata lookups (0: none), as Prometheus 3 validates it. */
export function limitParam(params: ApiParams): number {
  const v = params.get('limit');
  if (v === '') return 0;
  if (!/^[+-]?\d+$/.test(v))
    throw PromApiError.invalidParam(
      'limit',
      `strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`,
    );
  const n = Number(v);
  if (n < 0) throw PromApiError.invalidParam('limit', 'limit must be non-negative');
  return n;
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Parses a boolean the way Go's `strconv.ParseBool` does, or returns null. */
export function parseGoBool(s: string): boolean | null {
  if (GO_TRUE.has(s)) return true;
  if (GO_FALSE.has(s)) return false;
  return null;
}

/**
 * Thanos' `partial_response` parameter, or null when absent (the query service's default
 * applies), with the message Thanos' querier answers a bad value with.
 */
export function partialResponseParam(params: ApiParams): boolean | null {
  const v = params.get('partial_response');
  if (v === '') return null;
  const b = parseGoBool(v);
  if (b === null) {
    throw new PromApiError(
      'bad_data',
      `'partial_response' parameter: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`,
    );
  }
  return b;
}

/** Validates the parameters of `/api/v1/query_range` with Prometheus' messages. */
export function rangeParams(params: ApiParams): { startMs: number; endMs: number; stepMs: number } {
  const startMs = requiredTimeParam(params, 'start');
  const endMs = requiredTimeParam(params, 'end');
  if (endMs < startMs)
    throw PromApiError.invalidParam('end', 'end timestamp must not be before start time');
  let stepNs: number;
  try {
    stepNs = parseDurationNs(params.get('step'));
  } catch (error) {
    throw PromApiError.invalidParam('step', (error as Error).message);
  }
  if (stepNs <= 0) {
    throw PromApiError.invalidParam(
      'step',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  // For safety, like Prometheus: 60s resolution for a week or 1h for a year fits.
  if (Math.trunc(((endMs - startMs) * 1e6) / stepNs) > 11000) {
    throw new PromApiError(
      'bad_data',
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  const stepMs = Math.trunc(stepNs / 1e6);
  if (stepMs <= 0) {
    throw PromApiError.invalidParam(
      'step',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  return { startMs, endMs, stepMs };
}

/** Whether a label name is acceptable to Prometheus 3 (any non-empty UTF-8 string). */
export function validLabelName(name: string): boolean {
  return (
    name.length > 0 && !/[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))
  );
}

/**
 * Decodes a label name from a URL path the way Prometheus 3 does: `U__` names are escaped
 * (`__` is `_`, `_<hex>_` a code point), so clients can put any UTF-8 name in a path segment.
 */
export function unescapeLabelName(name: string): string {
  if (!name.startsWith('U__')) return name;
  const body = name.slice(3);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '_') {
      out += c;
      continue;
    }
    if (body[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = body.indexOf('_', i + 1);
    const hex = end < 0 ? '' : body.slice(i + 1, end);
    // A malformed escape leaves the name as given, as Prometheus does.
    if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return name;
    out += String.fromCodePoint(parseInt(hex, 16));
    i = end;
  }
  return out;
}
