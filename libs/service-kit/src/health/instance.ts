import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { version } from '../../../../package.json';

/** Who this process is, for health and info replies and for the bus connection name. */
export interface InstanceIdentity {
  instanceId: string;
  version: string;
  startedAt: string;
  pid: number;
  hostname: string;
}

/** Injection token of the process's `InstanceIdentity`. */
export const INSTANCE_IDENTITY = Symbol.for('strata.instance-identity');

/** A fresh identity: host, pid and a random suffix, so restarts on the same host differ. */
export function createInstanceIdentity(now: Date = new Date()): InstanceIdentity {
  const host = hostname();
  return {
    instanceId: `${host}-${process.pid}-${randomBytes(3).toString('hex')}`,
    version,
    startedAt: now.toISOString(),
    pid: process.pid,
    hostname: host,
  };
}
