import { type DynamicModule, type Provider, Module } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { type FastifyInstance } from 'fastify';
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

/** Prometheus' query HTTP API; needs the process's `BUS` and, in the app, `registerFormBody`. */
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

/**
 * Lets Fastify read `application/x-www-form-urlencoded` bodies, which Prometheus clients POST
 * for long queries; repeated keys (`match[]`) become arrays.
 */
export function registerFormBody(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    done(null, out);
  });
}
