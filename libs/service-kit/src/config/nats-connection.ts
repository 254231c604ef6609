import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BusOptions } from '@strata/bus';
import {
  natsIdentityFor,
  natsInboxPrefix,
  natsPasswordFile,
  type ServiceName,
} from '@strata/contracts';
import { InvalidConfigError, type PlatformConfig } from './platform-config';

/** How this process authenticates to NATS, as `connectBus` options. */
export type NatsConnectionOptions = Required<Pick<BusOptions, 'inboxPrefix'>> &
  Pick<BusOptions, 'user' | 'password' | 'tls'>;

/**
 * The NATS identity of a process running `services` (its service, or the monolith for several), its password from
 * `NATS_PASSWORD` or `NATS_CREDENTIALS_DIR`, its inbox prefix and TLS files. Throws
 * `InvalidConfigError` when the credentials directory has no password for the identity.
 */
export function natsConnectionOptions(
  config: PlatformConfig,
  services: readonly ServiceName[] = config.targets,
): NatsConnectionOptions {
  const identity = config.NATS_USER ?? natsIdentityFor(services);
  let password = config.NATS_PASSWORD;
  if (password === undefined && config.NATS_CREDENTIALS_DIR) {
    const file = join(config.NATS_CREDENTIALS_DIR, natsPasswordFile(identity));
    try {
      password = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new InvalidConfigError([
        `NATS_CREDENTIALS_DIR=${JSON.stringify(config.NATS_CREDENTIALS_DIR)}: no password for ${identity} (${(error as Error).message})`,
      ]);
    }
  }
  const tls =
    config.NATS_TLS_CA || config.NATS_TLS_CERT
      ? { caFile: config.NATS_TLS_CA, certFile: config.NATS_TLS_CERT, keyFile: config.NATS_TLS_KEY }
      : undefined;
  return {
    inboxPrefix: natsInboxPrefix(identity),
    ...(password !== undefined ? { user: identity, password } : {}),
    ...(tls ? { tls } : {}),
  };
}
