import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BusModule } from '@strata/bus';
import { PrometheusApiModule, type PromTenantResolver } from '@strata/gateway';
import { MemorySeriesSource, QueryModule } from '@strata/query';
import { decodeWriteRequest, encodeWriteRequestV1, type WriteBatch } from '@strata/remote-write';
import { type FastifyRequest } from 'fastify';

/** The gateway's Prometheus API and the query service over a real NATS, reading an in-memory source. */
export interface StrataServer {
  url: string;
  source: MemorySeriesSource;
  /** Decodes a remote-write 1.0 body and stores it for `tenantId`, as the write path will. */
  writeEncoded(tenantId: string, body: Uint8Array): void;
  /** Encodes and stores a batch, the same bytes Prometheus receives. */
  write(tenantId: string, batch: WriteBatch): void;
  stop(): Promise<void>;
}

/** Tenants from `X-Scope-OrgID`, standing in for the gateway's admission in these harnesses. */
const headerTenants: PromTenantResolver = {
  admit: (request: FastifyRequest) => {
    const tenant = request.headers['x-scope-orgid'];
    if (typeof tenant !== 'string' || tenant === '') return Promise.reject(new Error('no X-Scope-OrgID'));
    return Promise.resolve({ tenantId: tenant });
  },
};

/** Starts the API on a loopback port. */
export async function startStrata(
  natsUrl: string,
  options: { defaultTimeoutMs?: number; source?: MemorySeriesSource } = {},
): Promise<StrataServer> {
  const source = options.source ?? new MemorySeriesSource();
  @Module({})
  class HarnessModule {}
  const root: DynamicModule = {
    module: HarnessModule,
    imports: [
      BusModule.forRoot({ url: natsUrl, name: 'promql-diff' }),
      QueryModule.forRoot({ source, ...(options.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}) }),
      PrometheusApiModule.register({ tenants: headerTenants }),
    ],
  };
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter({ bodyLimit: 16 * 1024 * 1024 }), { logger: ['error'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const writeEncoded = (tenantId: string, body: Uint8Array): void => {
    const batch = decodeWriteRequest(body, 'v1');
    for (const s of batch.series) {
      const labels: Record<string, string> = {};
      for (const l of s.labels) labels[l.name] = l.value;
      for (let i = 0; i < s.values.length; i++) source.append(tenantId, labels, s.timestamps[i], s.values[i]);
      for (const e of s.exemplars) {
        const exemplarLabels: Record<string, string> = {};
        for (const l of e.labels) exemplarLabels[l.name] = l.value;
        source.addExemplar(tenantId, labels, { labels: exemplarLabels, value: e.value, timestampMs: e.timestamp });
      }
    }
    for (const m of batch.metadata) source.addMetadata(tenantId, m.metricFamilyName, { type: m.type, help: m.help, unit: m.unit });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    source,
    writeEncoded,
    write: (tenantId, batch) => writeEncoded(tenantId, encodeWriteRequestV1(batch)),
    stop: () => app.close(),
  };
}
