import { type Provider } from '@nestjs/common';
import { type Bus } from '@strata/bus';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { admissionResolver } from './admission-resolver';
import { PROM_TENANT_RESOLVER, type PromTenantResolver } from './prometheus-api.controller';
import { PrometheusApi } from './prometheus-api';
import { CardinalityApi } from './cardinality-api';

/**
 * Providers the gateway module adds beside `PrometheusApiController` and `CardinalityApiController`: the APIs over the gateway's
 * bus, and tenants admitted with the read scope, limited by their quota.
 */
export function prometheusApiProviders(bus: Bus): Provider[] {
  return [
    { provide: PrometheusApi, useValue: new PrometheusApi(bus) },
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
