import { compareLabels, Labels } from '@strata/promql';

/** A successful range reply as the query service serialises it. */
export interface RangeBody {
  status: 'success';
  data: { resultType: 'matrix'; result: MatrixSeries[] };
  warnings?: string[];
  infos?: string[];
}

interface MatrixSeries {
  metric: Record<string, string>;
  values: unknown[];
}

function union(lists: Array<string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

/**
 * Joins the replies of consecutive parts of one range query into the reply the whole range gets:
 * each series' points in part order, series sorted by labels as Prometheus sorts a range result,
 * warnings and infos once each in order of first appearance.
 */
export function mergeRangeBodies(parts: readonly RangeBody[]): RangeBody {
  if (parts.length === 1) return parts[0];
  const byKey = new Map<string, { labels: Labels; series: MatrixSeries }>();
  for (const part of parts) {
    for (const s of part.data.result) {
      const labels = Labels.fromRecord(s.metric);
      const seen = byKey.get(labels.key);
      if (seen === undefined)
        byKey.set(labels.key, { labels, series: { metric: s.metric, values: [...s.values] } });
      else for (const v of s.values) seen.series.values.push(v);
    }
  }
  const result = [...byKey.values()]
    .sort((a, b) => compareLabels(a.labels, b.labels))
    .map((e) => e.series);
  const warnings = union(parts.map((p) => p.warnings));
  const infos = union(parts.map((p) => p.infos));
  return {
    status: 'success',
    data: { resultType: 'matrix', result },
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(infos.length > 0 ? { infos } : {}),
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BRACE = [0x7b, 0x7d] as const;
const BRACKET = [0x5b, 0x5d] as const;
const MATRIX_HEAD = '{"status":"success","data":{"resultType":"matrix","result":[';
const MATRIX_TAIL = ']}}';

/**
 * {@link mergeRangeBodies} over the parts' serialised text, byte for byte the text
 * `JSON.stringify` gives of its result, without parsing the points: each series' `values` text is
 * cut out and joined. Null when a part is not a plain matrix reply (warnings, infos, another
 * layout), for the caller to merge parsed bodies.
 */
export function mergeSerializedRanges(parts: readonly string[]): string | null {
  type Merged = { labels: Labels; metric: string; values: string[] };
  const byKey = new Map<string, Merged>();
  // The same series is written the same way in every part: its text finds it without parsing.
  const byText = new Map<string, Merged>();
  for (const text of parts) {
    if (!text.startsWith(MATRIX_HEAD) || !text.endsWith(MATRIX_TAIL)) return null;
    const end = text.length - MATRIX_TAIL.length;
    let i = MATRIX_HEAD.length;
    while (i < end) {
      if (!text.startsWith('{"metric":', i)) return null;
      const metricStart = i + '{"metric":'.length;
      const metricEnd = closing(text, metricStart, ...BRACE);
      if (metricEnd < 0 || !text.startsWith(',"values":', metricEnd)) return null;
      const valuesStart = metricEnd + ',"values":'.length;
      const valuesEnd = closing(text, valuesStart, ...BRACKET);
      if (valuesEnd < 0 || text.charCodeAt(valuesEnd) !== BRACE[1]) return null;
      const metricText = text.slice(metricStart, metricEnd);
      const values = text.slice(valuesStart + 1, valuesEnd - 1);
      let seen = byText.get(metricText);
      if (seen === undefined) {
        const record = JSON.parse(metricText) as Record<string, string>;
        const labels = Labels.fromRecord(record);
        // Series are merged by labels, as mergeRangeBodies does, whatever their text.
        seen = byKey.get(labels.key) ?? { labels, metric: JSON.stringify(record), values: [] };
        byKey.set(labels.key, seen);
        byText.set(metricText, seen);
      }
      if (values.length > 0) seen.values.push(values);
      i = valuesEnd + 1;
      if (text[i] === ',') i++;
      else if (i !== end) return null;
    }
  }
  const series = [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  let out = MATRIX_HEAD;
  for (let k = 0; k < series.length; k++) {
    const s = series[k];
    out += `${k === 0 ? '' : ','}{"metric":${s.metric},"values":[${s.values.join(',')}]}`;
  }
  return out + MATRIX_TAIL;
}

/**
 * The index just past the bracket that closes the one at `text[at]` (`open`), skipping JSON
 * strings; -1 when `text[at]` is not `open` or nothing closes it.
 */
function closing(text: string, at: number, open: number, close: number): number {
  if (text.charCodeAt(at) !== open) return -1;
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return -1;
}
