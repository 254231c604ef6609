import { connectBus, serveOnBus, type BusLogger } from '@strata/bus';
import { startGateway, type GatewayConfig } from '@strata/gateway';
import {
  CardinalityExecutor,
  MemorySeriesSource,
  QueryExecutor,
  QueryController,
} from '@strata/query';
import { decodeWriteRequest, type WriteBatch } from '@strata/remote-write';
import { FakeControlPlane } from '@strata/gateway/testing';

/**
 * Settings for the suites that run an ingester in the jest process beside the query service: a
 * heavy differential query evaluated on a loaded CI worker can hold the event loop past the write
 * path harness' 2 s lease, which then lapses, and the partition's queries answer 503 ("no service
 * answers …ingester.N"). Nothing in these suites tests a takeover, so the lease is long.
 */
export const DIFF_INGESTER_ENV = { STRATA_LEASE_TTL_SECONDS: '30' } as const;

/** The platform admin token of the harness; the tenant is named in `X-Scope-OrgID`. */
export const HARNESS_ADMIN_TOKEN = 'promql-diff-admin-token-0123456789';

/**
 * The real gateway (auth, tenant admission, Prometheus API) and the query service on one NATS,
 * reading an in-memory series source; tenants live in the gateway's in-memory control plane.
 */
export interface StrataServer {
  url: string;
  source: MemorySeriesSource;
  /** Headers that authenticate as the platform admin acting for `tenantId`. */
  headersFor(tenantId: string): Record<string, string>;
  /** Decodes a remote-write 1.0 body and stores it for `tenantId`. */
  writeEncoded(tenantId: string, body: Uint8Array): void;
  /**
   * Stores a batch as is. The suite uses this rather than a decode of the encoded bytes because
   * `decodeWriteRequest` turns the staleness marker into a plain NaN (the write-path suite covers
   * the real remote-write path end to end).
   */
  write(tenantId: string, batch: WriteBatch): void;
  stop(): Promise<void>;
}

const quiet: BusLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Starts the gateway on a loopback port and the query service beside it, connected as `login`; `tenants` are created up front. */
export async function startStrata(
  nats: { url: string; login: { user: string; password: string; inboxPrefix: string } },
  options: { tenants: string[]; defaultTimeoutMs?: number; source?: MemorySeriesSource },
): Promise<StrataServer> {
  const source = options.source ?? new MemorySeriesSource();
  // The gateway and the query service in one process: the monolith's identity.
  const bus = await connectBus({
    url: nats.url,
    name: 'promql-diff',
    logger: quiet,
    ...nats.login,
  });
  const query = await serveOnBus(
    bus,
    {
      controllers: [QueryController],
      providers: [
        {
          provide: QueryExecutor,
          useValue: new QueryExecutor(source, {
            defaultTimeoutMs: options.defaultTimeoutMs ?? 120_000,
          }),
        },
        { provide: CardinalityExecutor, useValue: new CardinalityExecutor(source) },
      ],
    },
    { logger: false },
  );
  const controlPlane = new FakeControlPlane();
  for (const tenantId of options.tenants) {
    await controlPlane.command(
      { type: 'CreateTenant', tenantId, displayName: tenantId },
      { actor: 'harness', actorKind: 'system', sourceAddress: '', requestId: 'harness' },
    );
  }
  const config: GatewayConfig = {
    adminToken: HARNESS_ADMIN_TOKEN,
    tenantHeader: 'x-scope-orgid',
    maxBodyBytes: 16 * 1024 * 1024,
    host: '127.0.0.1',
    port: 0,
    tls: null,
  };
  const gateway = await startGateway({ config, bus, controlPlane });
  const writeBatch = (tenantId: string, batch: WriteBatch): void => {
    for (const s of batch.series) {
      const labels: Record<string, string> = {};
      for (const l of s.labels) labels[l.name] = l.value;
      for (let i = 0; i < s.values.length; i++)
        source.append(tenantId, labels, s.timestamps[i], s.values[i]);
      for (const e of s.exemplars) {
        const exemplarLabels: Record<string, string> = {};
        for (const l of e.labels) exemplarLabels[l.name] = l.value;
        source.addExemplar(tenantId, labels, {
          labels: exemplarLabels,
          value: e.value,
          timestampMs: e.timestamp,
        });
      }
    }
    for (const m of batch.metadata)
      source.addMetadata(tenantId, m.metricFamilyName, {
        type: m.type,
        help: m.help,
        unit: m.unit,
      });
  };
  return {
    url: gateway.url,
    source,
    headersFor: (tenantId) => ({
      authorization: `Bearer ${HARNESS_ADMIN_TOKEN}`,
      'x-scope-orgid': tenantId,
    }),
    writeEncoded: (tenantId, body) => writeBatch(tenantId, decodeWriteRequest(body, 'v1')),
    write: writeBatch,
    async stop() {
      await gateway.close();
      await query.app.close();
      await bus.drain();
    },
  };
}
