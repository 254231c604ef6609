import { type DynamicModule, type Provider, Module } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { PROM_TENANT_RESOLVER, PrometheusApiController, type PromTenantResolver } from './prometheus-api.controller';
import { PrometheusApi } from './prometheus-api';

/** How the gateway plugs its tenant admission into the Prometheus API. */
export interface PrometheusApiModuleOptions {
  /** A resolver instance, or a provider (class or factory) that builds one from the gateway's services. */
  tenants: PromTenantResolver | Provider<PromTenantResolver>;
}

function isProvider(v: PrometheusApiModuleOptions['tenants']): v is Provider<PromTenantResolver> {
  return typeof v === 'function' || (typeof v === 'object' && 'provide' in v);
}

/** Prometheus' query HTTP API; needs the process's `BUS`; Nest's Fastify adapter already parses the form-encoded POST bodies Prometheus clients send. */
@Module({})
export class PrometheusApiModule {
  /** The module with the gateway's tenant resolver. */
  static register(options: PrometheusApiModuleOptions): DynamicModule {
    const tenants = options.tenants;
    const resolver: Provider = isProvider(tenants)
      ? typeof tenants === 'function'
        ? { provide: PROM_TENANT_RESOLVER, useClass: tenants }
        : { ...tenants, provide: PROM_TENANT_RESOLVER }
      : { provide: PROM_TENANT_RESOLVER, useValue: tenants };
    return {
      module: PrometheusApiModule,
      controllers: [PrometheusApiController],
      providers: [resolver, { provide: PrometheusApi, useFactory: (bus: Bus) => new PrometheusApi(bus), inject: [BUS] }],
    };
  }
}
