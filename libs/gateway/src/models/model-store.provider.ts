import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { BusClient } from '@strata/bus';
import { ModelsSubjects } from '@strata/contracts';
import { LocalTenantLock, openModelLock } from '@strata/model-artifacts';
import { type GatewayOptions } from '../gateway.options';
import { ModelStore } from './model-store';

// A sweep of a large tenant lists every manifest and blob; the reply waits for it.
const COLLECT_TIMEOUT_MS = 120_000;

/**
 * The gateway's model store: manifests committed under the tenant's lock in NATS KV (shared with
 * the other replicas and the model-registry service), garbage collected by that service. When
 * the service cannot be reached the deletion still stands; its periodic sweep collects later.
 */
export async function modelStoreFor(
  options: GatewayOptions,
  onUsage: (tenant: string, bytes: number) => void,
): Promise<ModelStore | null> {
  if (!options.bucket) return null;
  const lock = options.kv
    ? await openModelLock(options.kv, `gateway-${randomUUID()}`)
    : new LocalTenantLock();
  const client = new BusClient(options.bus);
  const log = new Logger('models');
  return new ModelStore(options.bucket, {
    lock,
    onUsage,
    directPartBytes: options.modelDirectUploads?.partBytes,
    directMinBytes: options.modelDirectUploads?.minBytes,
    collect: async (tenant) => {
      try {
        return await client.ask(
          ModelsSubjects.collectGarbage,
          { tenant },
          { timeoutMs: COLLECT_TIMEOUT_MS },
        );
      } catch (error) {
        log.warn(
          `garbage collection of ${tenant}'s models deferred to the next sweep: ${String(error)}`,
        );
        return { deletedBlobs: 0, freedBytes: 0 };
      }
    },
  });
}
