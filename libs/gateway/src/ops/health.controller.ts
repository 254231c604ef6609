import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { GatewayMetrics } from './gateway-metrics';

/** Readiness of the gateway: what is wrong when it is not ready. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: Record<string, { ok: boolean; detail?: string }>;
}

const HEALTH_TIMEOUT_MS = 2_000;

/** Liveness, readiness and metrics; open to unauthenticated probes and scrapers. */
@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
    private readonly metrics: GatewayMetrics,
  ) {}

  @Get('healthz')
  healthz(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const checks: Readiness['checks'] = this.options.readiness
      ? { ...(await this.options.readiness.run()).checks }
      : { bus: this.options.bus.isConnected() ? { ok: true } : { ok: false, detail: 'not connected to NATS' } };
    const busUp = this.options.bus.isConnected();
    checks.controlPlane = busUp ? await this.controlPlaneCheck() : { ok: false, detail: 'not checked: bus down' };
    const ready = Object.values(checks).every((c) => c.ok);
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  private async controlPlaneCheck(): Promise<{ ok: boolean; detail?: string }> {
    try {
      const health = await this.controlPlane.health(HEALTH_TIMEOUT_MS);
      return health.status === 'ok' ? { ok: true } : { ok: false, detail: `control plane ${health.status}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  exposition(): Promise<string> {
    return this.metrics.exposition();
  }
}
