import { type QueryLimits, type QuotaSpec } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { type PromTenantResolver } from './prometheus-api.controller';

/** How the gateway's admission and the control plane's quotas plug into the read API. */
export interface AdmissionResolverOptions {
  /** Admits the call for the read scope and returns its tenant, or throws the gateway's auth errors. */
  admit: (request: FastifyRequest) => Promise<string>;
  /** The tenant's quota; omitted, queries run with the query service's default limits. */
  quotaOf?: (tenantId: string, requestId: string) => Promise<QuotaSpec>;
  /** How long a fetched quota is reused, so a dashboard's burst costs one control-plane call (default 10 s). */
  cacheMs?: number;
  now?: () => number;
}

/** The query limits a tenant's quota implies. */
export function limitsOf(quota: QuotaSpec): QueryLimits {
  return {
    maxSamplesPerQuery: quota.maxSamplesPerQuery,
    maxSeriesPerQuery: quota.maxSeriesPerQuery,
    maxQueryRangeSeconds: quota.maxQueryRangeSeconds,
  };
}

/** A tenant resolver over the gateway's admission with per-tenant limits from the quota, briefly cached. */
export function admissionResolver(options: AdmissionResolverOptions): PromTenantResolver {
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; limits: QueryLimits }>();
  return {
    async admit(request: FastifyRequest) {
      const tenantId = await options.admit(request);
      if (!options.quotaOf) return { tenantId };
      const hit = cache.get(tenantId);
      if (hit && now() - hit.at < cacheMs) return { tenantId, limits: hit.limits };
      const limits = limitsOf(await options.quotaOf(tenantId, String(request.id)));
      if (cache.size > 10_000) cache.clear();
      cache.set(tenantId, { at: now(), limits });
      return { tenantId, limits };
    },
  };
}
