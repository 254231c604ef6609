import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';

/** Readiness of the gateway: what is wrong when it is not ready. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: Record<string, { ok: boolean; detail?: string }>;
}

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Liveness and readiness on the public port, open to unauthenticated kubelet probes. The metrics
 * are not here: they name every tenant, so the process serves them on its internal listener
 * (`HEALTH_PORT`, service-kit), and `/metrics` on this port is a 404 for everyone.
 */
@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
  ) {}

  @Get('healthz')
  healthz(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const checks: Readiness['checks'] = this.options.readiness
      ? { ...(await this.options.readiness.run()).checks }
      : {
          bus: this.options.bus.isConnected()
            ? { ok: true }
            : { ok: false, detail: 'not connected to NATS' },
        };
    const busUp = this.options.bus.isConnected();
    checks.controlPlane = busUp
      ? await this.controlPlaneCheck()
      : { ok: false, detail: 'not checked: bus down' };
    const ready = Object.values(checks).every((c) => c.ok);
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  private async controlPlaneCheck(): Promise<{ ok: boolean; detail?: string }> {
    try {
      const health = await this.controlPlane.health(HEALTH_TIMEOUT_MS);
      return health.status === 'ok'
        ? { ok: true }
        : { ok: false, detail: `control plane ${health.status}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
