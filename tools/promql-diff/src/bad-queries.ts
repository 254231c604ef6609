import { T0 } from './dataset';

/** A request Prometheus refuses; Strata must answer with the same status, errorType and message. */
export interface BadRequest {
  name: string;
  path:
    | '/api/v1/query'
    | '/api/v1/query_range'
    | '/api/v1/series'
    | '/api/v1/labels'
    | '/api/v1/format_query';
  params: Record<string, string>;
}

const at = String((T0 + 1_807_300) / 1000);
const range = {
  start: String((T0 + 600_000) / 1000),
  end: String((T0 + 3_600_000) / 1000),
  step: '60',
};
const C = 'http_requests_total';

/** Syntax errors, unknown functions, wrong argument types, bad regexes and bad parameters. */
export const BAD_REQUESTS: BadRequest[] = [
  { name: 'unclosed paren', path: '/api/v1/query', params: { query: 'sum(rate(x[5m])', time: at } },
  { name: 'unexpected end', path: '/api/v1/query', params: { query: `${C} +`, time: at } },
  { name: 'unknown function', path: '/api/v1/query', params: { query: `foo_bar(${C})`, time: at } },
  { name: 'wrong argument type', path: '/api/v1/query', params: { query: `rate(${C})`, time: at } },
  {
    name: 'scalar where vector expected',
    path: '/api/v1/query',
    params: { query: 'sum(1)', time: at },
  },
  {
    name: 'too few arguments',
    path: '/api/v1/query',
    params: { query: 'histogram_quantile(0.9)', time: at },
  },
  {
    name: 'too many arguments',
    path: '/api/v1/query',
    params: { query: `abs(${C}, 2)`, time: at },
  },
  {
    name: 'uncompilable regex',
    path: '/api/v1/query',
    params: { query: `${C}{job=~"a(b"}`, time: at },
  },
  { name: 'bad duration', path: '/api/v1/query', params: { query: `rate(${C}[5x])`, time: at } },
  { name: 'empty matcher set', path: '/api/v1/query', params: { query: '{job=~".*"}', time: at } },
  { name: 'bad string', path: '/api/v1/query', params: { query: '"unterminated', time: at } },
  { name: 'binary op on strings', path: '/api/v1/query', params: { query: '"a" + 1', time: at } },
  {
    name: 'group_left without matching',
    path: '/api/v1/query',
    params: { query: `${C} + group_left ${C}`, time: at },
  },
  {
    name: 'many-to-many matching',
    path: '/api/v1/query',
    params: { query: `${C} + on(job) ${C}`, time: at },
  },
  {
    name: 'scalar to a vector function',
    path: '/api/v1/query',
    params: { query: 'ln(-1)', time: at },
  },
  {
    name: 'label_replace making duplicates',
    path: '/api/v1/query',
    params: {
      query: 'label_replace(node_temperature_celsius, "instance", "", "instance", ".*")',
      time: at,
    },
  },
  {
    name: 'label_replace onto an existing label',
    path: '/api/v1/query',
    params: {
      query: 'label_replace(node_temperature_celsius, "job", "new", "nonexistent", "")',
      time: at,
    },
  },
  {
    name: 'group_left with many on the right',
    path: '/api/v1/query',
    params: { query: 'vector(1) + on() group_left node_temperature_celsius', time: at },
  },
  { name: 'empty query', path: '/api/v1/query', params: { query: '', time: at } },
  { name: 'bad time', path: '/api/v1/query', params: { query: '1', time: 'yesterday' } },
  { name: 'bad timeout', path: '/api/v1/query', params: { query: '1', time: at, timeout: 'soon' } },
  {
    name: 'range vector in range query',
    path: '/api/v1/query_range',
    params: { query: `${C}[5m]`, ...range },
  },
  {
    name: 'too many points',
    path: '/api/v1/query_range',
    params: { query: '1', ...range, step: '0.1' },
  },
  { name: 'zero step', path: '/api/v1/query_range', params: { query: '1', ...range, step: '0' } },
  {
    name: 'negative step',
    path: '/api/v1/query_range',
    params: { query: '1', ...range, step: '-5' },
  },
  {
    name: 'bad step',
    path: '/api/v1/query_range',
    params: { query: '1', ...range, step: 'often' },
  },
  {
    name: 'end before start',
    path: '/api/v1/query_range',
    params: { query: '1', ...range, end: String((T0 + 1000) / 1000) },
  },
  {
    name: 'missing start',
    path: '/api/v1/query_range',
    params: { query: '1', end: range.end, step: '60' },
  },
  {
    name: 'syntax error in range query',
    path: '/api/v1/query_range',
    params: { query: 'sum by (job', ...range },
  },
  { name: 'series without match[]', path: '/api/v1/series', params: {} },
  { name: 'series with a bad selector', path: '/api/v1/series', params: { 'match[]': 'up{' } },
  {
    name: 'labels with a bad selector',
    path: '/api/v1/labels',
    params: { 'match[]': '{job=~"("}' },
  },
];

/**
 * Requests whose error message differs from 2.42's while status and errorType agree; each is
 * asserted to differ, with the reason.
 */
export const MESSAGE_DIFFERS: Record<string, string> = {
  'uncompilable regex':
    '2.42 quotes the anchored pattern `^(?:a(b)$` (3 quotes `^(?s:a(b)$`); the PromQL parser quotes the pattern as written',
  'labels with a bad selector': 'same regex quoting as above',
  'bad duration': '3 reports "bad number or duration syntax" where 2.42 said "bad duration syntax"',
  'many-to-many matching':
    '3 prints series as name{labels} instead of {__name__=...}, and which duplicate pair is named depends on evaluation order',
  'group_left with many on the right':
    'same series printing and evaluation-order difference as many-to-many matching',
  'empty query': '3 reports an empty query at "unknown position" instead of 1:1',
  'range vector in range query':
    '3 prefixes range-query validation errors with invalid parameter "query" like instant queries',
  'syntax error in range query':
    '3 prefixes range-query parse errors with invalid parameter "query" like instant queries',
};
