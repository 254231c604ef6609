import { type Server } from 'node:http';
import { type Socket } from 'node:net';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { BUS, connectBus, KV, serveOnBus, type NatsBus } from '@strata/bus';
import { prefixedBus } from '@strata/bus/testing';
import { type ApiKeyScope, Subjects } from '@strata/contracts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the model specs run the real control plane behind the gateway
import { ControlPlaneModule } from '@strata/control-plane';
// eslint-disable-next-line @nx/enforce-module-boundaries -- garbage collection runs in the model-registry service
import {
  DEFAULT_WEBHOOK_DELIVERY,
  ModelGarbageCollector,
  ModelRegistryModule,
  type WebhookDeliveryOptions,
} from '@strata/model-registry';
import { type Bucket } from '@strata/objstore';
import {
  freshDatabase,
  type FreshDatabase,
  testNatsLogin,
  testServices,
  uniqueName,
} from '@strata/testing';
import { GatewayMetrics } from '../src/ops/gateway-metrics';
import { type RunningGateway, startGateway } from '../src/start-gateway';

const ADMIN = 'model-stack-admin-token-0123456789';
const STACK_BUS = Symbol('STACK_BUS');
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

@Module({})
class StackBusModule {
  static of(bus: unknown): DynamicModule {
    return {
      module: StackBusModule,
      global: true,
      providers: [{ provide: STACK_BUS, useValue: bus }],
      exports: [STACK_BUS],
    };
  }
}

@Module({})
class KvModule {
  static of(kv: unknown, bus: unknown): DynamicModule {
    return {
      module: KvModule,
      global: true,
      providers: [
        { provide: KV, useValue: kv },
        { provide: BUS, useValue: bus },
      ],
      exports: [KV, BUS],
    };
  }
}

/** A gateway over a real control plane (Postgres, NATS) and a bucket, for model registry specs and benches. */
export interface ModelStack {
  /** The gateway's base URL (changes when the gateway restarts). */
  url: string;
  adminToken: string;
  /** Creates a tenant with a write key and returns the key's secret. */
  createTenant(tenantId: string): Promise<string>;
  /** Issues another key of the tenant with these scopes: its id and secret. */
  issueKey(tenantId: string, scopes: ApiKeyScope[]): Promise<{ keyId: string; secret: string }>;
  /** Sets the tenant's modelStorageBytes quota (0: no limit). */
  setModelQuota(tenantId: string, bytes: number): Promise<void>;
  /** The gateway's own metrics in the text format (what the internal listener serves). */
  metrics(): Promise<string>;
  /** Runs the model-registry service's periodic sweep over every tenant now. */
  sweepModels(): Promise<void>;
  /** Stops the model-registry service (its consumer unacked where it stood) and starts it again. */
  restartModelRegistry(): Promise<void>;
  /** Starts one more gateway replica on the same bus, control plane and bucket; its base URL. */
  startGatewayReplica(): Promise<string>;
  /** Bytes the gateway's HTTP server read from its clients so far (headers and bodies, every request). */
  receivedBytes(): number;
  /** Bytes the gateway's HTTP server sent to its clients so far. */
  sentBytes(): number;
  /** Severs every open connection of the gateway, as its crash would, then starts a new one on the same bucket. */
  crashAndRestartGateway(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the control plane, the model-registry service (garbage collection after `gcGraceMs`,
 * 0 by default) and a gateway storing models in `bucket`, the gateway and the service sharing
 * the per-tenant model lock in NATS KV as separate replicas do.
 */
export async function startModelStack(options: {
  bucket: Bucket;
  gcGraceMs?: number;
  /** Direct uploads idle this long are aborted by a sweep (the service's day when absent). */
  uploadGraceMs?: number;
  /** Direct upload part size and threshold on S3 (the gateway's defaults when absent). */
  directUploads?: { partBytes?: number; minBytes?: number };
  /** Retries of registry webhooks (the service's defaults wait seconds between them). */
  webhooks?: Partial<WebhookDeliveryOptions>;
  /** STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, for the gateway and the service (false by default). */
  allowPrivateWebhookAddresses?: boolean;
}): Promise<ModelStack> {
  const db: FreshDatabase = await freshDatabase('models');
  const nats: NatsBus = await connectBus({
    url: testServices().natsUrl,
    ...testNatsLogin('admin'),
    name: 'model-stack',
    logger: quiet,
  });
  // Its own subject namespace, so other specs' control planes on the shared server never answer.
  const bus = prefixedBus(nats, uniqueName('models'));
  bus.serve(Subjects.serviceHealth('control-plane'), null, async () => ({
    service: 'control-plane',
    instanceId: 'model-stack',
    status: 'ok',
    checks: {},
  }));
  const { app: controlPlane }: { app: INestApplicationContext } = await serveOnBus(
    bus,
    {
      imports: [
        StackBusModule.of(bus),
        ControlPlaneModule.forRoot({
          databaseUrl: db.url,
          busToken: STACK_BUS,
          relay: { pollIntervalMs: 100 },
        }),
      ],
    },
    { logger: ['error'] },
  );
  const startModelRegistry = async (): Promise<INestApplicationContext> => {
    const served = await serveOnBus(
      bus,
      {
        imports: [
          KvModule.of(nats, bus),
          ModelRegistryModule.withOptions({
            bucket: options.bucket,
            gcGraceMs: options.gcGraceMs ?? 0,
            uploadGraceMs: options.uploadGraceMs,
            sweepEveryMs: 3_600_000,
            ownsBucket: false,
            webhooks: {
              ...DEFAULT_WEBHOOK_DELIVERY,
              allowPrivateAddresses: options.allowPrivateWebhookAddresses ?? false,
              ...options.webhooks,
            },
          }),
        ],
      },
      { logger: ['error'] },
    );
    return served.app;
  };
  let modelRegistry = await startModelRegistry();
  const startOne = () =>
    startGateway({
      config: {
        adminToken: ADMIN,
        tenantHeader: 'x-scope-orgid',
        maxBodyBytes: 8 << 20,
        host: '127.0.0.1',
        port: 0,
        tls: null,
        allowPrivateWebhookAddresses: options.allowPrivateWebhookAddresses ?? false,
      },
      bus,
      kv: nats,
      bucket: options.bucket,
      modelDirectUploads: options.directUploads,
    });
  // What every connection ever accepted read, for specs showing blob bytes bypassed the gateway.
  const received = { closed: 0, closedSent: 0, open: new Set<Socket>() };
  const count = (running: RunningGateway) => {
    (running.app.getHttpServer() as Server).on('connection', (socket: Socket) => {
      received.open.add(socket);
      socket.once('close', () => {
        received.open.delete(socket);
        received.closed += socket.bytesRead;
        received.closedSent += socket.bytesWritten;
      });
    });
    return running;
  };
  let gateway: RunningGateway = count(await startOne());
  const replicas: RunningGateway[] = [];
  const admin = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const parsed = (await response.json()) as Record<string, unknown>;
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const stack: ModelStack = {
    url: gateway.url,
    adminToken: ADMIN,
    async createTenant(tenantId) {
      await admin('POST', '/api/v1/admin/tenants', { tenantId, displayName: tenantId });
      const issued = await admin('POST', `/api/v1/admin/tenants/${tenantId}/api-keys`, {
        name: 'models',
        scopes: ['read', 'write'],
      });
      return issued.secret as string;
    },
    async issueKey(tenantId, scopes) {
      const issued = await admin('POST', `/api/v1/admin/tenants/${tenantId}/api-keys`, {
        name: scopes.join('-'),
        scopes,
      });
      return { keyId: (issued.key as { keyId: string }).keyId, secret: issued.secret as string };
    },
    async setModelQuota(tenantId, bytes) {
      await admin('PATCH', `/api/v1/admin/tenants/${tenantId}/quota`, { modelStorageBytes: bytes });
    },
    sweepModels() {
      return modelRegistry.get(ModelGarbageCollector).sweep();
    },
    async restartModelRegistry() {
      await modelRegistry.close();
      modelRegistry = await startModelRegistry();
    },
    metrics() {
      return gateway.app.get(GatewayMetrics).registry.metrics();
    },
    async startGatewayReplica() {
      const replica = await startOne();
      replicas.push(replica);
      return replica.url;
    },
    receivedBytes() {
      let bytes = received.closed;
      for (const socket of received.open) bytes += socket.bytesRead;
      return bytes;
    },
    sentBytes() {
      let bytes = received.closedSent;
      for (const socket of received.open) bytes += socket.bytesWritten;
      return bytes;
    },
    async crashAndRestartGateway() {
      gateway.app.getHttpServer().closeAllConnections();
      await gateway.close();
      gateway = count(await startOne());
      stack.url = gateway.url;
    },
    async close() {
      for (const replica of replicas) await replica.close();
      await gateway.close();
      await modelRegistry.close();
      await controlPlane.close();
      await nats.drain();
      await db.drop();
    },
  };
  return stack;
}
