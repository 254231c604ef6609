import { T0, WARMUP, INTERVAL_MS } from './dataset';

/** Where the events of the data set begin (ms). */
const B = T0 + WARMUP * INTERVAL_MS;

/** One query of the differential suite. */
export interface DiffQuery {
  query: string;
  /** Run as an instant query (always) and, unless false, as a range query. */
  range?: boolean;
  /** Instant results come in an order Prometheus defines (sort functions, topk/bottomk with one group). */
  ordered?: boolean;
  /** Skip the odd-step range: it is covered by `ENGINE_GAPS`. */
  oddStepGap?: boolean;
}

/** Instants the suite evaluates at: off the sample grid, so open and closed windows agree. */
export const INSTANTS = [B + 1_807_300, B + 3_000_700, B + 3_599_900];
/** The range of range queries. */
export const RANGE = { startMs: B + 603_300, endMs: B + 3_603_300, stepMs: 60_000 };
/** A second range with an odd step, so steps land at different offsets from the samples. */
export const RANGE_ODD_STEP = { startMs: B + 1_234_567, endMs: B + 3_500_000, stepMs: 137_000 };

const C = 'http_requests_total';
const G = 'node_temperature_celsius';
const H = 'request_duration_seconds_bucket';

const q = (query: string, extra: Omit<DiffQuery, 'query'> = {}): DiffQuery => ({ query, ...extra });

/** Queries whose results Prometheus 2.42 and Strata (Prometheus 3 semantics) must agree on. */
export const DIFF_QUERIES: DiffQuery[] = [
  // Selectors, matchers, offsets and @.
  q(C),
  q(`${C}{job="api"}`),
  q(`${C}{job!="api",code=~"5.."}`),
  q(`${C}{method!~"GET|PUT"}`),
  q(`{__name__=~"node_.*"}`),
  q(`{job="web",__name__!="build_info"}`),
  q(`${C}{job="api"} offset 5m`),
  q(`${G} offset -2m`),
  q(`${G} @ ${(B + 1_200_000) / 1000}`),
  q(`${G} @ start()`),
  q(`${G} @ end()`),
  q(`rate(${C}[5m] @ ${(B + 2_400_100) / 1000})`),
  q(`${C}[2m]`, { range: false }),
  q(`${G}[1m] offset 10m`, { range: false }),
  q('flaky_gauge'),
  q('ephemeral_gauge'),
  q('large_values'),
  q('nonexistent_metric'),
  // Counter functions.
  q(`rate(${C}[5m])`),
  q(`rate(${C}[1m])`),
  q(`irate(${C}[5m])`),
  q(`increase(${C}[10m])`),
  q(`resets(${C}[30m])`),
  q(`changes(${G}[10m])`),
  q(`delta(${G}[10m])`),
  q(`idelta(${G}[5m])`),
  q(`deriv(${G}[10m])`),
  q(`predict_linear(${G}[10m], 600)`),
  q(`rate(${C}{job="api",instance="i1",method="GET",code="200"}[40m])`),
  q(`increase(request_duration_seconds_count[15m])`),
  // Over-time functions.
  q(`avg_over_time(${G}[10m])`),
  q(`min_over_time(${G}[10m])`),
  q(`max_over_time(${G}[10m])`),
  q(`sum_over_time(${G}[5m])`),
  q(`count_over_time(${G}[7m])`),
  q(`quantile_over_time(0.9, ${G}[15m])`),
  q(`quantile_over_time(0, ${G}[15m])`),
  q(`stddev_over_time(${G}[10m])`),
  q(`stdvar_over_time(${G}[10m])`),
  q(`last_over_time(${G}[3m])`),
  q(`present_over_time(flaky_gauge[2m])`),
  q('absent_over_time(flaky_gauge{instance="i0"}[2m])'),
  q('absent_over_time(nonexistent_metric[5m])'),
  q('count_over_time(ephemeral_gauge[10m])'),
  // Math and clamping.
  q(`abs(${G})`),
  q(`ceil(${G})`),
  q(`floor(${G})`),
  q(`round(${G})`),
  q(`round(${G}, 0.5)`),
  q(`sqrt(abs(${G}))`),
  q(`exp(${G} / 10)`),
  q(`ln(abs(${G}) + 1)`),
  q(`log2(abs(${G}) + 1)`),
  q(`log10(abs(${G}) + 1)`),
  q(`sgn(${G})`),
  q(`clamp(${G}, 0, 25)`),
  q(`clamp_min(${G}, 10)`),
  q(`clamp_max(${G}, 10)`),
  q(`sin(${G})`),
  q(`cos(${G})`),
  q(`tan(${G} / 100)`),
  q(`asin(${G} / 100)`),
  q(`acos(${G} / 100)`),
  q(`atan(${G})`),
  q(`sinh(${G} / 10)`),
  q(`cosh(${G} / 10)`),
  q(`tanh(${G})`),
  q(`asinh(${G})`),
  q(`acosh(abs(${G}) + 1)`),
  q(`atanh(${G} / 100)`),
  q(`deg(${G})`),
  q(`rad(${G})`),
  q('pi()'),
  q('ln(vector(-1))'),
  q(`${G} / 0`),
  q(`-${G} / 0`),
  q(`${G} % 7`),
  q(`${G} ^ 2`),
  // Time functions.
  q('time()'),
  q(`timestamp(${G})`),
  q('vector(time())'),
  q('minute()'),
  q('hour()'),
  q('day_of_week()'),
  q('day_of_month()'),
  q('day_of_year()'),
  q('days_in_month()'),
  q('month()'),
  q('year()'),
  q(`minute(timestamp(${G}))`),
  // Label functions, absent, scalar, vector.
  q(`label_replace(${G}, "host", "h-$1", "instance", "i(.*)")`),
  q(`label_join(${G}, "id", "/", "job", "instance")`),
  q('absent(nonexistent_metric{job="x"})'),
  q(`absent(${G})`),
  q(`scalar(sum(${G}))`),
  q(`scalar(${G})`),
  q('vector(1)'),
  q(`sort(${G})`, { ordered: true }),
  q(`sort_desc(${G})`, { ordered: true }),
  q(`sort(rate(${C}[5m]))`, { ordered: true }),
  // Aggregations.
  q(`sum(${C})`),
  q(`sum by (job) (rate(${C}[5m]))`),
  q(`sum without (instance, method) (rate(${C}[5m]))`),
  q(`avg by (instance) (${G})`),
  q(`min by (job) (${G})`),
  q(`max without (instance) (${G})`),
  q(`count by (code) (${C})`),
  q(`group by (job) (${C})`),
  q(`stddev by (job) (${G})`),
  q(`stdvar(${G})`),
  q(`count_values("value", build_info)`),
  q(`count_values by (job) ("v", ${C} > 1e9)`),
  q(`count_values("temp", round(${G}))`),
  q(`topk(3, ${G})`, { ordered: true }),
  q(`bottomk(2, rate(${C}{code="200"}[5m]))`, { ordered: true, oddStepGap: true }),
  q(`topk by (job) (1, ${G})`),
  q(`bottomk without (instance) (1, ${G})`),
  q(`topk(2, sum by (instance) (rate(${C}[5m])))`, { ordered: true }),
  q(`quantile(0.5, ${G})`),
  q(`quantile by (job) (0.95, rate(${C}[5m]))`),
  q(`quantile(1.5, ${G})`),
  q(`sum(rate(${C}[5m])) by (job, code)`),
  q(`avg(${G}) + 0`),
  q(`count(count by (job, instance) (${C}))`),
  // Binary operators and vector matching.
  q(`${C} > 1000`),
  q(`${C} > bool 1000`),
  q(`${G} >= 20 <= 30`),
  q(`${G} == bool ${G}`),
  q(`${G} != 20`),
  q(`1 < bool 2`),
  q(`2 * 3 + 4 ^ 2 % 3`),
  q(`rate(${C}[5m]) / ignoring(code) group_left sum without (code) (rate(${C}[5m]))`),
  q(`sum by (job, instance) (rate(${C}[5m])) / on(job, instance) group_left(version) build_info`),
  q(`build_info * on(job, instance) group_right(version) ${G}`),
  q(`${G} * on(instance, job) build_info`),
  q(`${G} + ignoring(version) build_info`),
  q(`sum by (job) (${C}) / sum by (job) (${C} offset 10m)`),
  q(`${C}{code="500"} / ignoring(code) ${C}{code="200"}`),
  q(`${C} and ${C}{job="api"}`),
  q(`${C} or ${G}`),
  q(`${C} unless ${C}{method="GET"}`),
  q(`${G} and on(instance) build_info{version=~"1.1.*"}`),
  q(`(${G} > 10) or vector(0)`),
  q(`-${G}`),
  q(`${G} - ${G} offset 5m`),
  q(`sum(${G}) - scalar(count(${G}))`),
  q(`${G} > on(job, instance) group_left avg by (job, instance) (${G} offset 1m)`),
  q(`${G} atan2 on(job, instance) ${G} offset 1m`),
  q(`${C} > bool on(job, instance, method, code) ${C} offset 5m`),
  q(`${C} unless on(job) ${C}{job="web"}`),
  q(`${C} or on(job) ${G}`),
  q(`count_values("v", ${G})`),
  q(`count_values("v", large_values)`),
  q(`quantile(-0.5, ${G})`),
  q(`topk(2, ${G}) by (job)`),
  q(`sum by (__name__) ({__name__=~"node_.*|build_info"})`),
  q(`label_replace(${C}, "x", "$1$2", "job", "(a)(p)i")`),
  q(`avg_over_time(${G}[5m] offset -1m)`),
  q(`max_over_time(${G}[10m:1m] offset 5m)`),
  q(`rate(${C}[5m:30s] @ end())`),
  q(`sum(${G}) by (job) > bool 30`),
  // Classic histograms.
  q(`histogram_quantile(0.9, rate(${H}[5m]))`),
  q(`histogram_quantile(0.5, sum by (le) (rate(${H}[10m])))`),
  q(`histogram_quantile(0.99, sum by (job, le) (rate(${H}[5m])))`),
  q(`histogram_quantile(0, rate(${H}[5m]))`),
  q(`histogram_quantile(1, rate(${H}[5m]))`),
  q(`histogram_quantile(1.5, rate(${H}[5m]))`),
  q(`histogram_quantile(0.5, ${H})`),
  q(`rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])`),
  q(`sum by (le) (increase(${H}[30m]))`),
  // Subqueries.
  q(`max_over_time(rate(${C}[5m])[30m:1m])`),
  q(`avg_over_time(${G}[10m:30s])`),
  q(`rate(sum by (job) (${C})[10m:])`),
  q(`min_over_time(sum by (job) (rate(${C}[2m]))[15m:2m] offset 5m)`),
  q(`deriv(avg by (job) (${G})[20m:1m])`),
  q(`sum_over_time(${G}[10m:1m] @ ${(B + 1_800_000) / 1000})`),
  q(`quantile_over_time(0.5, histogram_quantile(0.9, rate(${H}[5m]))[20m:1m])`),
  // Scalars and strings.
  q('1'),
  q('-2.5e-3'),
  q('0x1F'),
  q('Inf'),
  q('-Inf'),
  q('NaN'),
  q('1e30 * 1e-10'),
  q('"a string"', { range: false }),
  q('scalar(vector(5)) * 2'),
];

/**
 * Queries on which Prometheus 2.42 and 3 (which Strata follows) disagree: each is asserted to
 * give a different answer from the 2.42 binary, with the reason.
 */
export const DIFFERS_2_42_VS_3: Array<DiffQuery & { at: number; reason: string }> = [
  {
    query: `count_over_time(${C}{job="api",instance="i0",method="GET",code="200"}[1m])`,
    at: B + 1_800_000,
    reason: 'range selection is left-open in 3: the sample exactly at t-1m is no longer counted',
  },
  {
    query: `sum_over_time(${G}{job="api",instance="i0"}[2m])`,
    at: B + 1_200_000,
    reason:
      'range selection is left-open in 3: the sample exactly at t-2m is excluded from the sum',
  },
  {
    query: `increase(${C}{job="api",instance="i0",method="POST",code="200"}[1m])`,
    at: B + 2_400_000,
    reason: 'left-open ranges change which samples rate/increase extrapolate from',
  },
  {
    query: 'flaky_gauge{instance="i0"}',
    at: B + 79 * 15_000 + 2_000 + 300_000,
    reason: 'the lookback window is left-open in 3: a sample exactly 5m old is stale',
  },
  {
    query: `rate(${C}[5m] @ ${(B + 2_400_000) / 1000})`,
    at: B + 1_807_300,
    reason:
      'left-open ranges: with @ on the sample grid, 2.42 also reads the sample exactly 5m before',
  },
  {
    query: `rate(${C}{job="api",instance="i1",method="GET",code="200"}[40m])`,
    at: T0 + 1_807_300,
    reason:
      'rate extrapolation at the start of a series: 3 caps the extrapolation before comparing with the zero point, 2.42 after',
  },
  {
    query: `increase(request_duration_seconds_count[15m])`,
    at: T0 + 603_300,
    reason:
      'rate extrapolation at the start of a series: 3 caps the extrapolation before comparing with the zero point, 2.42 after',
  },
  {
    query: 'rate(flaky_gauge{instance="i1"}[10m])',
    at: B + 2_043_300,
    reason:
      'rate extrapolation after a gap: 3 caps the extrapolation before comparing with the zero point, 2.42 after',
  },
  {
    query: `max_over_time(deriv(rate(${C}[5m])[10m:1m])[20m:2m])`,
    at: B + 1_807_300,
    reason:
      'left-open subquery ranges: the inner subquery steps fall exactly on the outer window start, which 2.42 includes',
  },
  {
    query: `${G} atan2 10`,
    at: B + 1_807_300,
    reason:
      '`__name__` dropping: 3 drops the metric name for atan2 like the other arithmetic operators, 2.42 kept it',
  },
  {
    query: `holt_winters(${G}[10m], 0.5, 0.5)`,
    at: B + 1_807_300,
    reason: 'holt_winters was renamed double_exponential_smoothing (experimental) in 3',
  },
  {
    query: `{"${C}", job="api", code="500", method="GET", instance="i2"}`,
    at: B + 1_807_300,
    reason: 'quoted UTF-8 metric names in braces are valid PromQL only from 3',
  },
];

/** Queries whose `format_query` output differs: 3 prints number literals like `1000000000`, 2.42 like `1e+09`. */
export const FORMAT_DIFFERS_2_42_VS_3 = [`count_values by (job) ("v", ${C} > 1e9)`, '1e30 * 1e-10'];

/**
 * Where Strata's engine still differs from Prometheus (any version): asserted to differ so that a
 * fix shows up here and the query moves back to the agreeing set.
 */
export const ENGINE_GAPS: Array<{
  query: string;
  range: { startMs: number; endMs: number; stepMs: number };
  reason: string;
}> = [
  {
    query: `bottomk(2, rate(${C}{code="200"}[5m]))`,
    range: RANGE_ODD_STEP,
    reason:
      'ties for the last place (at +6341.567 s i0 and i1 api POST have equal rates): 2.42 pops and pushes its heap and keeps i1, Prometheus 3 overwrites the root and keeps i0, as Strata does (a 2.42-vs-3 difference; ties.int-spec replays both heaps)',
  },
];
