import { type FastifyInstance } from 'fastify';
import { type StrataMetrics } from '../metrics/metrics';
import { type ReadinessRegistry } from './readiness';

/**
 * Mounts `/healthz` (alive), `/readyz` (every readiness check passes, else 503 naming the failing
 * ones) and `/metrics` on a Fastify instance; the gateway mounts them on its own server.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  readiness: ReadinessRegistry,
  metrics: StrataMetrics,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { ready, checks } = await readiness.run();
    const failing = Object.entries(checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', failing, checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.header('content-type', contentType).send(body);
  });
}
