import { type Annotations, type Labels, type QueryValue } from '@strata/promql';
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
        result: value.value.map((s) => ({ metric: labelsToRecord(s.metric), value: point(s.t, s.f) })),
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

const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** A label set as JSON text, byte-identical to `JSON.stringify(labels.toRecord())`. */
function labelsJson(labels: Labels): string {
  const { names, values } = labels;
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    // Plain objects order integer-like keys first and treat __proto__ specially: let JSON decide.
    if (names[i] === '__proto__' || INDEX_LIKE.test(names[i])) return JSON.stringify(labels.toRecord());
    if (i > 0) out += ',';
    out += JSON.stringify(names[i]) + ':' + JSON.stringify(values[i]);
  }
  return out + '}';
}

/**
 * The whole Prometheus response body of a successful query, byte-identical to
 * `JSON.stringify({status: 'success', data: toPromQueryData(value), warnings?, infos?})`, built
 * in one pass over the series' typed arrays without an object per sample.
 */
export function serializeQueryResponse(value: QueryValue, annotations: Annotations): string {
  let data: string;
  if (value.type === 'matrix') {
    const parts: string[] = new Array<string>(value.value.length);
    for (let j = 0; j < value.value.length; j++) {
      const s = value.value[j];
      let pts = '';
      for (let i = 0; i < s.n; i++) {
        // Sample values never need escaping: digits, sign, '.', 'e', NaN, +Inf, -Inf.
        pts += (i > 0 ? ',[' : '[') + String(s.ts[i] / 1000) + ',"' + formatPromValue(s.vals[i]) + '"]';
      }
      parts[j] = '{"metric":' + labelsJson(s.metric) + ',"values":[' + pts + ']}';
    }
    data = '{"resultType":"matrix","result":[' + parts.join(',') + ']}';
  } else {
    data = JSON.stringify(toPromQueryData(value));
  }
  let out = '{"status":"success","data":' + data;
  if (annotations.warnings.length > 0) out += ',"warnings":' + JSON.stringify(annotations.warnings);
  if (annotations.infos.length > 0) out += ',"infos":' + JSON.stringify(annotations.infos);
  return out + '}';
}
