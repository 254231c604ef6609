import { formatFloatF } from './aggregations';
import { type QueryResult } from './engine';
import { type Series } from './types';

/** A sample pair as Prometheus' HTTP API writes it: seconds and the value as a string. */
export type ApiPoint = [number, string];

/** The `data` object of a Prometheus `/api/v1/query(_range)` response. */
export type ApiData =
  | { resultType: 'scalar' | 'string'; result: ApiPoint }
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: ApiPoint }[] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: ApiPoint[] }[] };

/** The body of a successful Prometheus query response. */
export interface ApiResponse {
  status: 'success';
  data: ApiData;
  warnings?: string[];
  infos?: string[];
}

/** Milliseconds to the float seconds Prometheus prints (1500 -> 1.5). */
function seconds(ms: number): number {
  return ms / 1000;
}

function seriesPoints(s: Series): ApiPoint[] {
  const out: ApiPoint[] = [];
  for (let i = 0; i < s.n; i++) out.push([seconds(s.ts[i]), formatFloatF(s.vals[i])]);
  return out;
}

/** Shapes a query result exactly like Prometheus' HTTP API (values as strings, `+Inf`, `NaN`). */
export function toApiResponse(r: QueryResult): ApiResponse {
  const res = r.result;
  let data: ApiData;
  switch (res.type) {
    case 'scalar':
      data = { resultType: 'scalar', result: [seconds(res.value.t), formatFloatF(res.value.v)] };
      break;
    case 'string':
      data = { resultType: 'string', result: [seconds(res.value.t), res.value.v] };
      break;
    case 'vector':
      data = {
        resultType: 'vector',
        result: res.value.map((s) => ({
          metric: s.metric.toRecord(),
          value: [seconds(s.t), formatFloatF(s.f)],
        })),
      };
      break;
    case 'matrix':
      data = {
        resultType: 'matrix',
        result: res.value.map((s) => ({ metric: s.metric.toRecord(), values: seriesPoints(s) })),
      };
      break;
  }
  const out: ApiResponse = { status: 'success', data };
  const warnings = r.annotations.warnings;
  const infos = r.annotations.infos;
  if (warnings.length > 0) out.warnings = warnings;
  if (infos.length > 0) out.infos = infos;
  return out;
}
