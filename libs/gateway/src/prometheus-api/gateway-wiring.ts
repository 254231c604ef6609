import { type Provider } from '@nestjs/common';
import { type Bus } from '@strata/bus';
import { GatewayMetrics } from '../ops/gateway-metrics';
import { QueryFrontend, type QueryFrontendOptions } from '../query-frontend/query-frontend';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { admissionResolver } from './admission-resolver';
import { PROM_TENANT_RESOLVER, type PromTenantResolver } from './prometheus-api.controller';
import { PrometheusApi } from './prometheus-api';
import { CardinalityApi } from './cardinality-api';

/** A frontend that neither splits nor caches: every query goes to the query service whole. */
const NO_FRONTEND: QueryFrontendOptions = {
  splitIntervalMs: 0,
  maxBytes: 0,
  maxFreshnessMs: 0,
  lateWriteWindowMs: 0,
  ttlMs: 0,
  maxParallelParts: 1,
};

/**
 * Providers the gateway module adds beside `PrometheusApiController` and `CardinalityApiController`: the APIs over the gateway's
 * bus behind the query frontend (`frontend`; absent, none), and tenants admitted with the read
 * scope, limited by their quota.
 */
export function prometheusApiProviders(bus: Bus, frontend?: QueryFrontendOptions): Provider[] {
  return [
    {
      provide: QueryFrontend,
      inject: [GatewayMetrics],
      useFactory: (metrics: GatewayMetrics): QueryFrontend =>
        new QueryFrontend(frontend ?? NO_FRONTEND, metrics.registry),
    },
    {
      provide: PrometheusApi,
      inject: [QueryFrontend],
      useFactory: (queryFrontend: QueryFrontend): PrometheusApi =>
        new PrometheusApi(bus, Date.now, queryFrontend),
    },
    { provide: CardinalityApi, useValue: new CardinalityApi(bus) },
    {
      provide: PROM_TENANT_RESOLVER,
      inject: [TenantAdmission, ControlPlaneClient],
      useFactory: (
        admission: TenantAdmission,
        controlPlane: ControlPlaneClient,
      ): PromTenantResolver =>
        admissionResolver({
          admit: (request) => admission.admit(request, 'read'),
          quotaOf: async (tenantId, requestId) =>
            (await controlPlane.query({ type: 'GetQuota', tenantId }, requestId)).quota,
        }),
    },
  ];
}
