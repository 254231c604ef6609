import {
  CardinalityLabelNamesRequest,
  CardinalityLabelValuesRequest,
  TsdbStatusRequest,
  UserStatsRequest,
  type TenantUserStats,
  type LabelNamesCardinality,
  type LabelValuesCardinality,
  type PromApiReply,
  type PromApiSerializedReply,
  TENANT_LABEL,
  PromApiError,
} from '@strata/contracts';
import { type Matcher, ParseError, parseMetricSelector } from '@strata/promql';
import { type CardinalitySource } from '../storage/cardinality-source';
import { matcherAcceptsEmpty } from '../storage/matchers';
import { guardRequest } from './guard-request';
import {
  labelNamesCardinality,
  labelValuesCardinality,
  serializeTsdbStatus,
  tsdbStatusData,
} from './cardinality-responses';

/**
 * Answers what a tenant uses of its heads: Prometheus' `/api/v1/status/tsdb` and Mimir's
 * cardinality endpoints, each over the tenant's series only, `tenant_id` never counted.
 */
export class CardinalityExecutor {
  constructor(private readonly source: CardinalitySource) {}

  /** `/api/v1/status/tsdb`; a success comes serialised (an empty head's times are int64 extremes). */
  tsdbStatus(input: unknown): Promise<PromApiReply<never> | PromApiSerializedReply> {
    return guardRequest(TsdbStatusRequest, input, async (req): Promise<PromApiSerializedReply> => {
      const status = await this.source.headStatus(req.tenantId);
      return {
        status: 'success',
        serialized: serializeTsdbStatus(status, tsdbStatusData(status, req.limit)),
      };
    });
  }

  /** Mimir's `/api/v1/user_stats`, summed over the heads. */
  userStats(input: unknown): Promise<PromApiReply<TenantUserStats>> {
    return guardRequest(UserStatsRequest, input, async (req) => {
      const stats = await this.source.userStats(req.tenantId);
      return {
        status: 'success',
        data: {
          numSeries: stats.numSeries,
          ingestionRate: stats.ingestionRate,
          apiIngestionRate: stats.ingestionRate,
          ruleIngestionRate: 0,
          discardedSamples: stats.discardedSamples,
        },
      };
    });
  }

  /** `/api/v1/cardinality/label_names`. */
  labelNames(input: unknown): Promise<PromApiReply<LabelNamesCardinality>> {
    return guardRequest(CardinalityLabelNamesRequest, input, async (req) => {
      const scoped = scopeSelector(req.selector);
      const { labels } = await this.source.cardinality(
        req.tenantId,
        scoped ?? [],
        scoped === null ? [] : undefined,
      );
      return { status: 'success', data: labelNamesCardinality(labels, req.limit) };
    });
  }

  /** `/api/v1/cardinality/label_values`. */
  labelValues(input: unknown): Promise<PromApiReply<LabelValuesCardinality>> {
    return guardRequest(CardinalityLabelValuesRequest, input, async (req) => {
      const scoped = scopeSelector(req.selector);
      const { seriesCountTotal, labels } = await this.source.cardinality(
        req.tenantId,
        scoped ?? [],
        scoped === null ? [] : req.labelNames,
      );
      return {
        status: 'success',
        data: labelValuesCardinality(labels, req.labelNames, seriesCountTotal, req.limit),
      };
    });
  }
}

/**
 * The selector's matchers for the tenant's own series, or null when they can select none of them:
 * `tenant_id` reads as absent, so a matcher on it keeps every series or none, as on other reads.
 */
export function scopeSelector(selector: string | undefined): Matcher[] | null {
  if (selector === undefined) return [];
  let matchers: Matcher[];
  try {
    const vs = parseMetricSelector(selector);
    if (vs === null)
      throw new PromApiError(
        'bad_data',
        'failed to parse selector: 1:1: parse error: not a series selector',
      );
    matchers = vs.matchers.map((m): Matcher => ({ name: m.name, op: m.op, value: m.value }));
  } catch (error) {
    if (error instanceof ParseError)
      throw new PromApiError('bad_data', `failed to parse selector: ${error.message}`);
    throw error;
  }
  const out: Matcher[] = [];
  for (const m of matchers) {
    if (m.name !== TENANT_LABEL) out.push(m);
    else if (!matcherAcceptsEmpty(m)) return null;
  }
  return out;
}
