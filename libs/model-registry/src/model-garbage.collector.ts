import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { KV, type KvProvider } from '@strata/bus';
import { type CollectModelGarbageReply } from '@strata/contracts';
import {
  collectModelGarbage,
  modelTenants,
  openModelLock,
  type TenantLock,
} from '@strata/model-artifacts';
import { MODEL_REGISTRY_OPTIONS, type ModelRegistryOptions } from './model-registry.options';

/**
 * Collects unreferenced model blobs: on request (a gateway deleted a version) and in a periodic
 * sweep over every tenant, which also takes the blobs a deletion left inside their grace period.
 * Each collection holds the tenant's lock in NATS KV, the one every gateway replica commits
 * manifests under, so no replica of either can make a manifest name a deleted blob.
 */
@Injectable()
export class ModelGarbageCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ModelRegistry');
  private lock: TenantLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    @Inject(KV) private readonly kv: KvProvider,
    @Inject(MODEL_REGISTRY_OPTIONS) private readonly options: ModelRegistryOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.lock = await openModelLock(this.kv, `model-registry-${randomUUID()}`);
    this.timer = setInterval(() => void this.sweep(), this.options.sweepEveryMs);
    this.timer.unref();
    this.log.log(
      `collecting unreferenced model blobs older than ${this.options.gcGraceMs / 1000} s in ${this.options.bucket.name}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
    if (this.options.ownsBucket) await this.options.bucket.close();
  }

  /** Collects one tenant's garbage now. */
  async collect(tenant: string): Promise<CollectModelGarbageReply> {
    if (!this.lock) throw new Error('the model registry has not started');
    const reply = await collectModelGarbage(
      this.options.bucket,
      this.lock,
      tenant,
      this.options.gcGraceMs,
      this.options.uploadGraceMs,
    );
    if (reply.deletedBlobs > 0)
      this.log.log(`${tenant}: deleted ${reply.deletedBlobs} blob(s), ${reply.freedBytes} bytes`);
    if (reply.abortedUploads)
      this.log.log(`${tenant}: aborted ${reply.abortedUploads} abandoned direct upload(s)`);
    return reply;
  }

  /** One pass over every tenant with model artifacts; a pass still running is not started twice. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        for (const tenant of await modelTenants(this.options.bucket)) await this.collect(tenant);
      } catch (error) {
        this.log.warn(`model garbage sweep failed: ${String(error)}`);
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }
}
