import { StrataError, type ChainVerification, type ControlPlaneSnapshot } from '@strata/contracts';
import { openControlPlaneStore, replayControlPlane } from '@strata/control-plane';
import { runMigrations } from '@strata/eventstore';
import { type CliConfig } from '../config';

/** `strata audit replay`: the control plane as of an instant or a position. */
export async function auditReplay(
  config: CliConfig,
  bound: { at: string } | { position: number },
): Promise<ControlPlaneSnapshot> {
  if ('at' in bound && Number.isNaN(Date.parse(bound.at)))
    throw new StrataError('validation_failed', `--at ${bound.at} is not an RFC 3339 time`);
  if ('position' in bound && !(Number.isInteger(bound.position) && bound.position >= 0))
    throw new StrataError('validation_failed', '--position must be a non-negative integer');
  const cp = await openControlPlaneStore({ databaseUrl: config.databaseUrl, poolSize: 2 });
  try {
    return await replayControlPlane(cp.store, bound);
  } finally {
    await cp.close();
  }
}

/** `strata audit verify`: walks the hash chain. */
export async function auditVerify(config: CliConfig): Promise<ChainVerification> {
  const cp = await openControlPlaneStore({ databaseUrl: config.databaseUrl, poolSize: 2 });
  try {
    return await cp.store.verifyChain();
  } finally {
    await cp.close();
  }
}

/** `strata migrate`: applies pending migrations of the event store and the control plane. */
export async function migrate(config: CliConfig): Promise<string[]> {
  const cp = await openControlPlaneStore({ databaseUrl: config.databaseUrl, poolSize: 2 });
  try {
    return await runMigrations(cp.dataSource);
  } finally {
    await cp.close();
  }
}
