import { type LogLevel } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bus, type KvProvider } from '@strata/bus';
import { parsePromDurationMs, type PlatformEnv, StrataError } from '@strata/contracts';
import { parseSyslogPorts, type SyslogPortSpec } from '@strata/log-sources';
import { type Bucket } from '@strata/objstore';
import { type Registry } from 'prom-client';
import { type ControlPlaneClient } from './control-plane/control-plane.client';
import { DEFAULT_QUERY_FRONTEND, type QueryFrontendOptions } from './query-frontend/query-frontend';

/** What the gateway needs from the platform configuration, resolved once at boot. */
export interface GatewayConfig {
  /** The platform admin secret; every right on every tenant. */
  adminToken: string;
  /** Header that names the tenant of a data request, lower-cased for lookups. */
  tenantHeader: string;
  maxBodyBytes: number;
  /** Largest body of the Kubernetes event and audit routes; 8 MiB when absent. */
  eventsMaxBodyBytes?: number;
  /**
   * Block uploads: the largest tar accepted, and where it is unpacked while it is checked and
   * stored; 16 GiB under the OS temp folder when absent.
   */
  blockUploads?: { maxBytes: number; dir: string };
  /** The log sources; defaults (16 MiB bodies, 256 KiB lines, no syslog) when absent. */
  logs?: LogSourcesConfig;
  host: string;
  port: number;
  tls: { cert: Buffer; key: Buffer } | null;
  /** The query frontend in front of the query service; absent, queries are neither split nor cached. */
  queryFrontend?: QueryFrontendOptions;
  /** Whether registry webhooks may name private, loopback or link-local IPs (refused when absent). */
  allowPrivateWebhookAddresses?: boolean;
}

/** How the gateway's log sources bound their input and which syslog ports they open. */
export interface LogSourcesConfig {
  maxBodyBytes: number;
  maxLineBytes: number;
  syslog: SyslogPortSpec[];
  /** Host the syslog listeners bind (the HTTP host). */
  syslogHost: string;
  syslogFlushLines: number;
  syslogFlushMs: number;
}

/** Options of `GatewayModule.forRoot` and `startGateway`. */
export interface GatewayOptions {
  config: GatewayConfig;
  /** The bus behind the edge; used for readiness and, unless `controlPlane` is given, for control-plane calls. */
  bus: Bus;
  /**
   * NATS KV, for the per-tenant model lock shared with every other gateway replica and the
   * model-registry service; without it the lock holds within this process only.
   */
  kv?: KvProvider;
  /** The block bucket uploads are stored in; without one, block uploads answer 503. */
  bucket?: Bucket;
  /**
   * Direct (presigned multipart) model uploads on an S3 bucket: part size (16 MiB) and the
   * smallest blob sent directly (5 MiB); smaller blobs go through the gateway.
   */
  modelDirectUploads?: { partBytes?: number; minBytes?: number };
  /** Overrides the bus-backed control-plane client (tests use a fake one). */
  controlPlane?: ControlPlaneClient;
  /**
   * How long an API key or tenant status is trusted without a control-plane event, in ms; 0 asks
   * the control plane on every request. 30 s by default, and 0 when `controlPlane` is given,
   * since a fake control plane publishes no events to invalidate the cache.
   */
  admissionCacheTtlMs?: number;
  /** Registry the gateway registers its metrics in; a private one when absent. */
  registry?: Registry;
  /** The process's readiness checks (bus, database, ...); `/readyz` adds the control plane's health to them. */
  readiness?: {
    run(): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> }>;
  };
  /** Trust `X-Forwarded-For` from a proxy in front of the gateway for `sourceAddress`. */
  trustProxy?: boolean;
  /**
   * Nest's logging for the HTTP app. Any value here replaces Nest's process-wide logger, so a
   * Strata process passes `inherit` to keep its own; standalone use defaults to errors and warnings.
   */
  logger?: 'inherit' | LogLevel[];
  /** The built web console served under `/console/` and, for browsers, at `/`; the workspace's build when absent. */
  consoleDir?: string;
}

/** Injection token of the gateway options. */
export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** Resolves the gateway's config from the validated platform env; reads the admin token and TLS files. */
export function gatewayConfigFrom(env: PlatformEnv): GatewayConfig {
  const adminToken = env.STRATA_ADMIN_TOKEN ?? readSecretFile(env.STRATA_ADMIN_TOKEN_FILE);
  if (!adminToken || adminToken.length < 16) {
    throw new StrataError(
      'bad_request',
      'the gateway needs STRATA_ADMIN_TOKEN or STRATA_ADMIN_TOKEN_FILE (at least 16 characters)',
    );
  }
  const tls =
    env.TLS_CERT_FILE && env.TLS_KEY_FILE
      ? { cert: readFileSync(env.TLS_CERT_FILE), key: readFileSync(env.TLS_KEY_FILE) }
      : null;
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
    throw new StrataError('bad_request', 'TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  return {
    adminToken,
    tenantHeader: env.STRATA_TENANT_HEADER.toLowerCase(),
    maxBodyBytes: env.STRATA_MAX_BODY_BYTES,
    eventsMaxBodyBytes: env.STRATA_EVENTS_MAX_BODY_BYTES,
    blockUploads: {
      maxBytes: env.STRATA_MAX_BLOCK_UPLOAD_BYTES,
      dir: join(env.STRATA_DATA_DIR, 'block-uploads'),
    },
    logs: {
      maxBodyBytes: env.STRATA_LOGS_MAX_BODY_BYTES,
      maxLineBytes: env.STRATA_LOGS_MAX_LINE_BYTES,
      syslog: syslogPortsFrom(env.STRATA_LOGS_SYSLOG),
      syslogHost: env.HTTP_HOST,
      syslogFlushLines: env.STRATA_LOGS_SYSLOG_FLUSH_LINES,
      syslogFlushMs: env.STRATA_LOGS_SYSLOG_FLUSH_MS,
    },
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    tls,
    allowPrivateWebhookAddresses: env.STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES,
    queryFrontend: {
      ...DEFAULT_QUERY_FRONTEND,
      splitIntervalMs: parsePromDurationMs(env.STRATA_QUERY_SPLIT_INTERVAL),
      maxBytes: env.STRATA_QUERY_CACHE_MAX_BYTES,
      maxFreshnessMs: parsePromDurationMs(env.STRATA_QUERY_CACHE_MAX_FRESHNESS),
      // A write as old as the heads keep can still be acknowledged and change a cached result.
      lateWriteWindowMs: env.STRATA_INGEST_MAX_AGE_SECONDS * 1000,
      ttlMs: parsePromDurationMs(env.STRATA_QUERY_CACHE_TTL),
    },
  };
}

function syslogPortsFrom(text: string): SyslogPortSpec[] {
  try {
    return parseSyslogPorts(text);
  } catch (error) {
    throw new StrataError('bad_request', `STRATA_LOGS_SYSLOG: ${(error as Error).message}`);
  }
}

function readSecretFile(path: string | undefined): string | undefined {
  // Kubernetes secret mounts end with a newline that is not part of the token.
  return path === undefined ? undefined : readFileSync(path, 'utf8').trim();
}
