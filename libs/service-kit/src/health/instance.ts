import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/** The workspace's version from its root package.json, found by walking up from this file. */
export function platformVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'strata' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) return '0.0.0-unknown';
  }
}

/** Who this process is, for health and info replies and for the bus connection name. */
export interface InstanceIdentity {
  instanceId: string;
  version: string;
  startedAt: string;
  pid: number;
  hostname: string;
}

/** Injection token of the process's `InstanceIdentity`. */
export const INSTANCE_IDENTITY = Symbol.for('@strata/instance-identity');

/** A fresh identity: host, pid and a random suffix, so restarts on the same host differ. */
export function createInstanceIdentity(now: Date = new Date()): InstanceIdentity {
  const host = hostname();
  return {
    instanceId: `${host}-${process.pid}-${randomBytes(3).toString('hex')}`,
    version: platformVersion(),
    startedAt: now.toISOString(),
    pid: process.pid,
    hostname: host,
  };
}
