import { type DynamicModule, Module } from '@nestjs/common';
import { bucketConfigFromEnv, openBucket } from '@strata/objstore';
import { PLATFORM_CONFIG, type PlatformConfig } from '@strata/service-kit';
import { ModelGarbageCollector } from './model-garbage.collector';
import { ModelRegistryController } from './model-registry.controller';
import {
  DEFAULT_WEBHOOK_DELIVERY,
  MODEL_REGISTRY_OPTIONS,
  type ModelRegistryOptions,
} from './model-registry.options';
import { RegistryWebhooksDeliverer } from './registry-webhooks.deliverer';
import { WebhookDeliveryLog } from './webhook-delivery.log';

/**
 * The model-registry service: collects the model artifacts no manifest names any more, on a
 * gateway's request and in a periodic sweep, under the per-tenant lock in NATS KV that every
 * gateway replica commits manifests under. The artifacts' bytes themselves never cross the bus:
 * they stream between client, gateway and bucket. It also POSTs registry events to the tenants'
 * webhook subscriptions. Needs the process's BusModule (BUS and KV).
 */
@Module({})
export class ModelRegistryModule {
  /** The service as a Strata process runs it: bucket and timings from the platform config. */
  static forRoot(): DynamicModule {
    return {
      module: ModelRegistryModule,
      controllers: [ModelRegistryController],
      providers: [
        {
          provide: MODEL_REGISTRY_OPTIONS,
          inject: [PLATFORM_CONFIG],
          useFactory: (config: PlatformConfig): ModelRegistryOptions => ({
            bucket: openBucket(bucketConfigFromEnv(config)),
            gcGraceMs: config.STRATA_MODEL_GC_GRACE_SECONDS * 1000,
            uploadGraceMs: config.STRATA_MODEL_UPLOAD_GRACE_SECONDS * 1000,
            sweepEveryMs: config.STRATA_MODEL_GC_INTERVAL_SECONDS * 1000,
            ownsBucket: true,
            webhooks: {
              ...DEFAULT_WEBHOOK_DELIVERY,
              allowPrivateAddresses: config.STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES,
            },
          }),
        },
        ModelGarbageCollector,
        RegistryWebhooksDeliverer,
        WebhookDeliveryLog,
      ],
      exports: [ModelGarbageCollector],
    };
  }

  /** The service on a bucket and timings of the caller's (harnesses and benches). */
  static withOptions(options: ModelRegistryOptions): DynamicModule {
    return {
      module: ModelRegistryModule,
      controllers: [ModelRegistryController],
      providers: [
        { provide: MODEL_REGISTRY_OPTIONS, useValue: options },
        ModelGarbageCollector,
        RegistryWebhooksDeliverer,
        WebhookDeliveryLog,
      ],
      exports: [ModelGarbageCollector],
    };
  }
}
