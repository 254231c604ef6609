import { type ServiceName } from '../subjects';

/** Reply to `Subjects.serviceHealth`: whether this instance can do its job and why not. */
export interface ServiceHealth {
  service: ServiceName;
  instanceId: string;
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Reply to `Subjects.serviceInfo`. */
export interface ServiceInfo {
  service: ServiceName;
  instanceId: string;
  version: string;
  startedAt: string;
  pid: number;
  hostname: string;
}
