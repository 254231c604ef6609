import { type Annotations, type Labels, type QueryValue, type Series } from '@strata/promql';
import { type PromPoint, type PromQueryData } from '@strata/contracts';

/**
 * Formats a sample value exactly as Prometheus' API does (`strconv.AppendFloat(v, 'f', -1, 64)`,
 * switching to 'e' below 1e-6 and from 1e21): shortest round-trip digits, `NaN`, `+Inf`, `-Inf`.
 */
export function formatPromValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const abs = Math.abs(v);
  if (abs < 1e-6 || abs >= 1e21) {
    // JS and Go agree on the shortest digits; Go writes at least two exponent digits.
    const [mant, exp] = v.toExponential().split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  // Between 1e-6 and 1e21 JS's Number#toString never uses an exponent, like Go's 'f' with -1.
  return String(v);
}

/** A millisecond timestamp as Prometheus' float seconds. */
export function promTimestamp(ms: number): number {
  return ms / 1000;
}

/** A label set as the JSON object Prometheus writes. */
export function labelsToRecord(labels: Labels): Record<string, string> {
  return labels.toRecord();
}

function point(t: number, v: number): PromPoint {
  return [promTimestamp(t), formatPromValue(v)];
}

/** Converts an engine result into the `data` of Prometheus' query responses. */
export function toPromQueryData(value: QueryValue): PromQueryData {
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: point(value.value.t, value.value.v) };
    case 'string':
      return { resultType: 'string', result: [promTimestamp(value.value.t), value.value.v] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.value.map((s) => ({
          metric: labelsToRecord(s.metric),
          value: point(s.t, s.f),
        })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.value.map((s) => {
          const values: PromPoint[] = new Array<PromPoint>(s.n);
          for (let i = 0; i < s.n; i++) values[i] = point(s.ts[i], s.vals[i]);
          return { metric: labelsToRecord(s.metric), values };
        }),
      };
  }
}

/**
 * The whole Prometheus response body of a successful query as JSON text, for replies that travel
 * pre-serialised. A matrix is written straight from the series' typed arrays (no `[t, "v"]` array
 * per point, no object tree to stringify); other results go through V8's JSON.stringify. The text
 * is byte-identical to stringifying `{ status, data: toPromQueryData(value), warnings, infos }`.
 */
export function serializeQueryResponse(value: QueryValue, annotations: Annotations): string {
  const { warnings, infos } = annotations;
  const tail =
    (warnings.length > 0 ? `,"warnings":${JSON.stringify(warnings)}` : '') +
    (infos.length > 0 ? `,"infos":${JSON.stringify(infos)}` : '');
  if (value.type !== 'matrix') {
    return `{"status":"success","data":${JSON.stringify(toPromQueryData(value))}${tail}}`;
  }
  return `{"status":"success","data":{"resultType":"matrix","result":${encodeMatrix(value.value)}}${tail}}`;
}

/**
 * A matrix's `result` array, written as bytes into one growing buffer (string concatenation of
 * ~200k small pieces builds ropes that cost more than the object tree JSON.stringify walks).
 * Series of a range query share the step grid, so each timestamp's text is kept by point position
 * and reused while the next series has the same timestamp there.
 */
function encodeMatrix(matrix: readonly Series[]): string {
  const w = new ByteWriter(1 << 16);
  const tsText: string[] = [];
  const tsOf = new Float64Array(matrix.reduce((m, s) => Math.max(m, s.n), 0)).fill(NaN);
  w.ascii('[');
  for (let k = 0; k < matrix.length; k++) {
    const s = matrix[k];
    w.ascii(k === 0 ? '{"metric":' : ',{"metric":');
    w.utf8(JSON.stringify(s.metric.toRecord()));
    w.ascii(',"values":[');
    const { ts, vals, n } = s;
    for (let i = 0; i < n; i++) {
      const t = ts[i];
      if (tsOf[i] !== t) {
        tsOf[i] = t;
        tsText[i] = JSON.stringify(promTimestamp(t));
      }
      w.ascii(i === 0 ? '[' : ',[');
      w.ascii(tsText[i]);
      w.ascii(',"');
      w.ascii(formatPromValue(vals[i]));
      w.ascii('"]');
    }
    w.ascii(']}');
  }
  w.ascii(']');
  return w.text();
}

/** Appends text to a growing byte buffer; `ascii` for text known to be ASCII. */
class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ascii(s: string): void {
    const len = s.length;
    if (this.pos + len > this.buf.length) this.grow(len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  utf8(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (this.pos + len > this.buf.length) this.grow(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  text(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
