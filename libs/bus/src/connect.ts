import { connect } from '@nats-io/transport-node';
import { errors, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsBus } from './nats-bus';
import { consoleBusLogger, type BusLogger } from './logger';
import { BusAuthenticationError, BusClosedError, describe } from './errors';
import { type BusObserver } from './observer';

/** How to reach NATS and how this process is named there. */
export interface BusOptions {
  /** One URL or a comma-separated list (`nats://a:4222,nats://b:4222`). */
  url: string;
  /** Connection name shown by the server (`<service>@<host>`), so operators can tell clients apart. */
  name: string;
  /** Default request timeout. */
  requestTimeoutMs?: number;
  /** How long one attempt to connect may take (nats.js' default, 20 s, when absent). */
  connectTimeoutMs?: number;
  /** Keep trying when NATS is not up yet at start, instead of failing at once. */
  waitOnFirstConnect?: boolean;
  /** First reconnect wait; doubles per failed attempt up to `maxReconnectWaitMs`, with ±50% jitter. */
  reconnectWaitMs?: number;
  maxReconnectWaitMs?: number;
  logger?: BusLogger;
  /** Receives counts and timings of served requests and consumed messages (metrics). */
  observer?: BusObserver;
  /** User and password of this process's NATS identity; none for a server without authentication. */
  user?: string;
  password?: string;
  /**
   * Prefix of every inbox this connection creates (replies, chunk exchanges, consumer deliveries),
   * e.g. `_INBOX.router`: the server lets each identity subscribe under its own prefix only.
   */
  inboxPrefix?: string;
  /** Replicas of the streams and KV buckets this bus declares when their spec names none (default 1). */
  replicas?: number;
  /** TLS to the server: the CA to trust and, for mutual TLS, this client's certificate and key (file paths). */
  tls?: BusTlsOptions;
}

/** Files of a TLS connection to NATS. */
export interface BusTlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Exponential backoff with full jitter for reconnects: a fleet that lost its server does not
 * come back in lockstep, and a long outage does not turn into a tight loop.
 */
export function reconnectDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Connects to NATS with infinite, jittered reconnects and returns the platform's Bus over it. */
export async function connectBus(options: BusOptions): Promise<NatsBus> {
  const logger = options.logger ?? consoleBusLogger(options.name);
  const base = options.reconnectWaitMs ?? 250;
  const max = options.maxReconnectWaitMs ?? 5_000;
  let attempt = 0;
  let nc: NatsConnection;
  const waiting = setInterval(() => logger.warn(`still waiting for NATS at ${options.url}`), 5_000);
  try {
    nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: options.waitOnFirstConnect ?? false,
      reconnectDelayHandler: () => reconnectDelay(attempt++, base, max),
      pingInterval: 10_000,
      maxPingOut: 3,
      // An Error per request only to keep the caller's stack for a timeout: every failure is
      // mapped to the platform's own errors anyway, and hot paths (JetStream publishes) pay for it.
      noAsyncTraces: true,
      ...(options.user !== undefined ? { user: options.user, pass: options.password } : {}),
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      ...(options.connectTimeoutMs ? { timeout: options.connectTimeoutMs } : {}),
      ...(options.tls ? { tls: { ...options.tls } } : {}),
    });
  } catch (error) {
    if (error instanceof errors.AuthorizationError)
      throw new BusAuthenticationError(options.url, options.user, { cause: error });
    throw new BusClosedError(`cannot connect to NATS at ${options.url}: ${describe(error)}`, {
      cause: error,
    });
  } finally {
    clearInterval(waiting);
  }
  const onReconnect = () => {
    attempt = 0;
  };
  const js = jetstream(nc);
  let jsm: ReturnType<typeof jetstreamManager> | null = null;
  const manager = () =>
    (jsm ??= jetstreamManager(nc).catch((error: unknown) => {
      jsm = null;
      throw error;
    }));
  return new NatsBus(nc, js, manager, logger, {
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    onReconnect,
    observer: options.observer,
    inboxPrefix: options.inboxPrefix,
    replicas: options.replicas ?? 1,
  });
}
