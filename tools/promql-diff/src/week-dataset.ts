import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DIFF_QUERIES, type DiffQuery } from './queries';

/** Where the week starts (ms, on the minute); a fixed instant so every run writes the same samples. */
export const WEEK_T0 = 1_717_200_000_000;
/** One sample a minute per series. */
export const WEEK_INTERVAL_MS = 60_000;
/** Seven days of samples. */
export const WEEK_POINTS = 7 * 24 * 60;
/** The end of the data (ms): one interval after the last sample's minute. */
export const WEEK_END = WEEK_T0 + WEEK_POINTS * WEEK_INTERVAL_MS;

/**
 * Evaluation instants and ranges over the week. Samples sit 7 to 9 s past the minute and every
 * evaluation time 33.3 s past it, so no sample is ever on a window boundary, where Prometheus 2.42
 * (left-closed) and 3 (left-open) differ; ranges start an hour in, so no window reaches the start of
 * a series, where they extrapolate rates differently.
 */
const OFF = 33_300;
const H = 3_600_000;
const D = 24 * H;
export const WEEK_INSTANTS = [
  WEEK_T0 + D + 3 * H + OFF,
  WEEK_T0 + 4 * D + 17 * H + 42 * 60_000 + OFF,
  WEEK_END - 5 * 60_000 + OFF,
];
export const WEEK_RANGES = [600_000, 3_600_000, 97 * 60_000].map((stepMs) => ({
  startMs: WEEK_T0 + H + OFF,
  endMs: WEEK_END + OFF,
  stepMs,
}));

const C = 'http_requests_total';

/**
 * The differential queries that apply to the week: the data set's series without its gaps and
 * staleness marker (`flaky_gauge`, `ephemeral_gauge`: OpenMetrics carries no staleness marker, and
 * 2.42 and 3 extrapolate rates after gaps differently), and without `@` at fixed instants of the
 * two-hour data set.
 */
export const WEEK_QUERIES: DiffQuery[] = DIFF_QUERIES.filter(
  (d) => !/flaky_gauge|ephemeral_gauge|@ \d/.test(d.query),
);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface WeekSeries {
  labels: Record<string, string>;
  /** Milliseconds past the minute of every sample. */
  offsetMs: number;
  value: (i: number) => number;
}

interface WeekFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'unknown';
  series: WeekSeries[];
}

function counter(seed: number, rate: number, resetEvery: number | null): (i: number) => number {
  const r = prng(seed);
  const vals = new Float64Array(WEEK_POINTS);
  let v = Math.floor(r() * 100);
  for (let i = 0; i < WEEK_POINTS; i++) {
    if (resetEvery !== null && i > 0 && i % resetEvery === 0) v = 0;
    v += Math.floor(r() * rate * 2);
    vals[i] = v;
  }
  return (i) => vals[i];
}

const LE = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];

/**
 * The week's metric families, shaped like the differential data set (same names and labels, so
 * its queries apply): request counters (one resets daily), temperature gauges, build info,
 * a classic histogram per job, and values at the extremes of float64.
 */
export function weekFamilies(): WeekFamily[] {
  let seed = 1;
  const requests: WeekSeries[] = [];
  const temps: WeekSeries[] = [];
  const builds: WeekSeries[] = [];
  const hist: WeekSeries[] = [];
  ['api', 'web'].forEach((job, j) => {
    for (let inst = 0; inst < 2; inst++) {
      const offsetMs = 7_000 + inst * 1_000 + j * 250;
      for (const method of ['GET', 'POST']) {
        for (const code of ['200', '500']) {
          const rate = (code === '200' ? 20 : 2) * (method === 'GET' ? 3 : 1) * (j + 1);
          const resets = job === 'api' && inst === 1 && method === 'GET' && code === '200';
          requests.push({
            labels: { job, instance: `i${inst}`, method, code },
            offsetMs,
            value: counter(seed++, rate, resets ? 24 * 60 : null),
          });
        }
      }
      const r = prng(seed++);
      const noise = Float64Array.from({ length: WEEK_POINTS }, () => r());
      temps.push({
        labels: { job, instance: `i${inst}` },
        offsetMs,
        value: (i) =>
          Math.round(
            (20 + 15 * Math.sin(i / 90 + inst) + noise[i] * 3 - (j === 1 ? 25 : 0)) * 1000,
          ) / 1000,
      });
      builds.push({
        labels: { job, instance: `i${inst}`, version: `1.${inst}.${j}` },
        offsetMs,
        value: () => 1,
      });
    }
    const r = prng(seed++);
    const counts = LE.map(() => 0);
    const buckets = LE.map(() => new Float64Array(WEEK_POINTS));
    const sums = new Float64Array(WEEK_POINTS);
    let sum = 0;
    for (let i = 0; i < WEEK_POINTS; i++) {
      const n = 5 + Math.floor(r() * 20);
      for (let k = 0; k < n; k++) {
        const obs = Math.exp(r() * 3 - 3) * (j + 1);
        sum += obs;
        LE.forEach((le, b) => {
          if (le === '+Inf' || obs <= Number(le)) counts[b]++;
        });
      }
      counts.forEach((c, b) => (buckets[b][i] = c));
      sums[i] = Math.round(sum * 1e6) / 1e6;
    }
    const offsetMs = 8_500 + j * 250;
    LE.forEach((le, b) =>
      hist.push({
        labels: { __suffix: '_bucket', job, le },
        offsetMs,
        value: (i) => buckets[b][i],
      }),
    );
    hist.push({ labels: { __suffix: '_sum', job }, offsetMs, value: (i) => sums[i] });
    hist.push({
      labels: { __suffix: '_count', job },
      offsetMs,
      value: (i) => buckets[LE.length - 1][i],
    });
  });
  return [
    { name: C, type: 'counter', series: requests },
    { name: 'node_temperature_celsius', type: 'gauge', series: temps },
    { name: 'build_info', type: 'gauge', series: builds },
    { name: 'request_duration_seconds', type: 'histogram', series: hist },
    {
      name: 'large_values',
      type: 'gauge',
      series: [
        { labels: { kind: 'big' }, offsetMs: 7_000, value: (i) => 1.5e21 * (i + 1) },
        { labels: { kind: 'tiny' }, offsetMs: 7_000, value: (i) => 1e-7 * (i + 1) },
        { labels: { kind: 'million' }, offsetMs: 7_000, value: (i) => 1e6 + i },
      ],
    },
  ];
}

/** Writes the week as OpenMetrics text (what `promtool tsdb create-blocks-from openmetrics` reads); returns the sample count. */
export async function writeWeekOpenMetrics(file: string): Promise<number> {
  const out = createWriteStream(file);
  let samples = 0;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const family of weekFamilies()) {
    await write(`# TYPE ${family.name} ${family.type}\n`);
    for (const s of family.series) {
      const { __suffix: suffix = '', ...labels } = s.labels;
      const name = `${family.name}${suffix}`;
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const prefix = `${name}{${text}} `;
      let chunk = '';
      for (let i = 0; i < WEEK_POINTS; i++) {
        chunk += `${prefix}${String(s.value(i))} ${(WEEK_T0 + i * WEEK_INTERVAL_MS + s.offsetMs) / 1000}\n`;
        if (chunk.length > 1 << 16) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
      samples += WEEK_POINTS;
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}
