import { type Matcher } from '../index/matchers';
import { postingsForMatchers } from '../index/postings';
import { METRIC_NAME } from '../labels';
import { type Head } from './head';
import { type MemSeries } from './series';

/** Series count per label value, per label name: the part of a head's postings index a set of series spans. */
export type LabelValueCounts = Map<string, Map<string, number>>;

/** Size and time span of the series a set of matchers selects in a head. */
export interface HeadSummary {
  readonly numSeries: number;
  /** Closed plus open chunks of those series. */
  readonly chunkCount: number;
  /** Oldest sample held (null when no series is selected). */
  readonly minTime: number | null;
  /** Newest sample held (null when no series is selected). */
  readonly maxTime: number | null;
}

/** Which label names {@link labelValueCounts} reports. */
export interface LabelValueCountOptions {
  /** Only these names, each present (possibly with no values) even when no selected series has it. */
  readonly names?: readonly string[];
  /** Names never counted nor reported, as if no series carried them (e.g. the hidden tenant label). */
  readonly hidden?: readonly string[];
}

/** One entry of a top-N list of {@link PostingsStats}. */
export interface PostingsStat {
  readonly name: string;
  readonly value: number;
}

/** Prometheus' `index.PostingsStats`: the cardinality top lists of `/api/v1/status/tsdb`. */
export interface PostingsStats {
  /** Series per value of the stats label (`__name__`): series count by metric name. */
  readonly seriesCountByMetricName: PostingsStat[];
  /** Distinct values per label name. */
  readonly labelValueCountByLabelName: PostingsStat[];
  /** Per label name, the bytes of its values times the series carrying each (Prometheus 3). */
  readonly memoryInBytesByLabelName: PostingsStat[];
  /** Series per `name=value` pair. */
  readonly seriesCountByLabelValuePair: PostingsStat[];
  /** Distinct `name=value` pairs. */
  readonly numLabelPairs: number;
}

/** The series of a head that every matcher selects, whatever their samples' times. */
export function selectedSeries(head: Head, matchers: readonly Matcher[]): MemSeries[] {
  const out: MemSeries[] = [];
  for (const ref of postingsForMatchers(head.postings, matchers)) {
    const s = head.seriesByRef(ref);
    if (s) out.push(s);
  }
  return out;
}

/** Counts, chunks and time span of the selected series, as Prometheus' head reports them for the whole head. */
export function headSummary(head: Head, matchers: readonly Matcher[]): HeadSummary {
  let chunkCount = 0;
  let minTime = Infinity;
  let maxTime = -Infinity;
  const series = selectedSeries(head, matchers);
  for (const s of series) {
    chunkCount += s.chunks.length + (s.headChunk ? 1 : 0);
    // Truncation drops whole chunks, so a kept chunk may start before what the head still serves.
    minTime = Math.min(minTime, Math.max(s.minTime(), head.minValidTime));
    maxTime = Math.max(maxTime, s.maxTime());
  }
  const empty = series.length === 0;
  return {
    numSeries: series.length,
    chunkCount,
    minTime: empty ? null : minTime,
    maxTime: empty ? null : maxTime,
  };
}

/** Series per value per label name among the selected series. */
export function labelValueCounts(
  head: Head,
  matchers: readonly Matcher[],
  options: LabelValueCountOptions = {},
): LabelValueCounts {
  const hidden = new Set(options.hidden ?? []);
  const only = options.names ? new Set(options.names) : null;
  const counts: LabelValueCounts = new Map();
  for (const name of options.names ?? []) if (!hidden.has(name)) counts.set(name, new Map());
  if (only?.size === 0) return counts;
  for (const s of selectedSeries(head, matchers)) {
    const pairs = s.pairs;
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i];
      if (hidden.has(name) || (only !== null && !only.has(name))) continue;
      let values = counts.get(name);
      if (!values) counts.set(name, (values = new Map()));
      values.set(pairs[i + 1], (values.get(pairs[i + 1]) ?? 0) + 1);
    }
  }
  return counts;
}

/** Adds `from` into `into` (series of distinct partitions never overlap, so counts add up). */
export function addLabelValueCounts(
  into: LabelValueCounts,
  from: LabelValueCounts,
): LabelValueCounts {
  for (const [name, values] of from) {
    let target = into.get(name);
    if (!target) into.set(name, (target = new Map()));
    for (const [value, n] of values) target.set(value, (target.get(value) ?? 0) + n);
  }
  return into;
}

/**
 * Prometheus' `MemPostings.Stats(label, limit)` over label value counts. Prometheus keeps the top
 * entries in a heap fed in map order, so among equal counts it keeps and lists an arbitrary subset;
 * here ties are broken by name, ascending, so the same data always gives the same answer.
 */
export function postingsStats(
  counts: ReadonlyMap<string, ReadonlyMap<string, number>>,
  limit: number,
  statsByLabelName: string = METRIC_NAME,
): PostingsStats {
  const metrics: PostingsStat[] = [];
  const names: PostingsStat[] = [];
  const memory: PostingsStat[] = [];
  const pairs: PostingsStat[] = [];
  let numLabelPairs = 0;
  for (const [name, values] of counts) {
    if (name === '' || values.size === 0) continue;
    names.push({ name, value: values.size });
    numLabelPairs += values.size;
    let bytes = 0;
    for (const [value, series] of values) {
      if (name === statsByLabelName) metrics.push({ name: value, value: series });
      pairs.push({ name: `${name}=${value}`, value: series });
      bytes += utf8Length(value) * series;
    }
    memory.push({ name, value: bytes });
  }
  return {
    seriesCountByMetricName: topN(metrics, limit),
    labelValueCountByLabelName: topN(names, limit),
    memoryInBytesByLabelName: topN(memory, limit),
    seriesCountByLabelValuePair: topN(pairs, limit),
    numLabelPairs,
  };
}

function topN(stats: PostingsStat[], limit: number): PostingsStat[] {
  stats.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return stats.length > limit ? stats.slice(0, Math.max(0, limit)) : stats;
}

// Go's len() of a string: its UTF-8 bytes.
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
