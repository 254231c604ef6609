import { type BusClient } from '@strata/bus';
import { QuerySubjects, StrataError } from '@strata/contracts';
import {
  Labels,
  type Matcher,
  type Querier,
  type Queryable,
  type SampleIterator,
  type StorageSeries,
} from '@strata/promql';
import { type QueryFunc, type RuleSample } from '@strata/rules';

type Point = [number, string];
type VectorItem = { metric: Record<string, string>; value: Point };
type MatrixItem = { metric: Record<string, string>; values: Point[] };
type InstantData =
  | { resultType: 'vector'; result: VectorItem[] }
  | { resultType: 'scalar'; result: Point }
  | { resultType: 'matrix'; result: MatrixItem[] }
  | { resultType: 'string'; result: Point };

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

async function instant(
  client: BusClient,
  tenantId: string,
  query: string,
  timeMs: number,
  timeoutMs: number,
): Promise<InstantData> {
  const reply = await client.ask(
    QuerySubjects.instant,
    { tenantId, query, timeMs, timeoutMs },
    { timeoutMs: timeoutMs + 5_000 },
  );
  if (reply.status === 'error')
    throw new StrataError('bad_request', `${reply.errorType}: ${reply.error}`);
  return reply.data as InstantData;
}

/**
 * A rule's query through the query service (`QuerySubjects.instant`) in the tenant's name, with
 * Prometheus' `EngineQueryFunc` shape: a scalar becomes one sample without labels.
 */
export function busQueryFunc(client: BusClient, tenantId: string, timeoutMs: number): QueryFunc {
  return async (expr, timeMs): Promise<RuleSample[]> => {
    const data = await instant(client, tenantId, expr, timeMs, timeoutMs);
    switch (data.resultType) {
      case 'vector':
        return data.result.map((s) => ({
          labels: Labels.fromRecord(s.metric),
          value: parseValue(s.value[1]),
        }));
      case 'scalar':
        return [{ labels: Labels.EMPTY, value: parseValue(data.result[1]) }];
      case 'matrix':
      case 'string':
        throw new StrataError('bad_request', 'rule result is not a vector or scalar');
    }
  };
}

function quoteMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

function seriesOf(item: MatrixItem): StorageSeries {
  const ts = item.values.map((p) => Math.round(p[0] * 1000));
  const vs = item.values.map((p) => parseValue(p[1]));
  return {
    labels: Labels.fromRecord(item.metric),
    iterator(): SampleIterator {
      let i = -1;
      return {
        next: () => ++i < ts.length,
        seek(t: number) {
          if (i < 0) i = 0;
          while (i < ts.length && ts[i] < t) i++;
          return i < ts.length;
        },
        get t() {
          return ts[i];
        },
        get v() {
          return vs[i];
        },
      };
    },
  };
}

/**
 * The raw samples `restoreForState` reads (`ALERTS_FOR_STATE` over the outage tolerance), asked of
 * the query service as a range selector at the window's end, which answers with the stored samples.
 */
export function busRestoreQueryable(
  client: BusClient,
  tenantId: string,
  timeoutMs: number,
): Queryable {
  return {
    querier(mint: number, maxt: number): Querier {
      return {
        async select(_sort, _hints, ...matchers) {
          const data = await instant(
            client,
            tenantId,
            `{${matchers.map(quoteMatcher).join(',')}}[${Math.max(1, maxt - mint)}ms]`,
            maxt,
            timeoutMs,
          );
          if (data.resultType !== 'matrix') return [];
          return data.result.map(seriesOf);
        },
        labelValues: () => Promise.resolve([]),
        labelNames: () => Promise.resolve([]),
        close: () => undefined,
      } as Querier;
    },
  };
}
