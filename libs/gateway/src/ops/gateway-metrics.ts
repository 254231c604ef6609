import { Inject, Injectable } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';

const TENANT_ROUTE = '/api/v1/admin/tenants/:id';

/**
 * The tenant a platform admin's request acted on, taken from the path only when it succeeded, so
 * made-up ids in failed requests cannot grow the label set.
 */
function tenantOfAdminRoute(request: FastifyRequest, route: string, status: number): string {
  if (status >= 400 || !route.startsWith(TENANT_ROUTE)) return '';
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : '';
}

const REQUESTS = 'strata_gateway_http_requests_total';
const DURATION = 'strata_gateway_http_request_duration_seconds';

/** The gateway's own metrics, in the process's registry (served on the internal listener, never on the public port). */
@Injectable()
export class GatewayMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<'method' | 'route' | 'status' | 'tenant'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions) {
    this.registry = options.registry ?? new Registry();
    // A private registry gets the process metrics itself; a shared one is the caller's to fill.
    if (!options.registry) collectDefaultMetrics({ register: this.registry });
    // A shared registry may already hold these from an earlier gateway of the same process.
    this.requests =
      (this.registry.getSingleMetric(REQUESTS) as typeof this.requests | undefined) ??
      new Counter({
        name: REQUESTS,
        help: 'HTTP requests answered by the gateway, by route template, status and tenant.',
        labelNames: ['method', 'route', 'status', 'tenant'],
        registers: [this.registry],
      });
    this.duration =
      (this.registry.getSingleMetric(DURATION) as typeof this.duration | undefined) ??
      new Histogram({
        name: DURATION,
        help: 'Time from receiving a request to sending its response.',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [this.registry],
      });
  }

  /** Records one answered request; route is the template, so ids do not explode the label space. */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    this.requests.inc({
      method: request.method,
      route,
      status,
      tenant: request.strata?.tenant ?? tenantOfAdminRoute(request, route, reply.statusCode),
    });
    this.duration.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
  }
}
