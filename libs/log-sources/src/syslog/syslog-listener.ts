import { randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { type LogRecord, TenantId } from '@strata/contracts';
import { LogInputError } from '../errors';
import { checkLine, decodeUtf8 } from '../records';
import { SyslogDeframer } from './framing';
import { parseSyslog } from './syslog-parse';

/** One configured syslog port: its transport and the tenant every message on it belongs to. */
export interface SyslogPortSpec {
  protocol: 'tcp' | 'udp';
  port: number;
  tenantId: string;
}

/** What storing a flush did: stored, refused for a while (retry), or refused for good (drop). */
export type SyslogStoreOutcome =
  { ok: true } | { ok: false; reason: string; retryAfterMs: number | null };

/** Where a listener's flushes go: limits, then `STRATA_LOGS`; a throw is a transient failure. */
export type SyslogStore = (
  tenantId: string,
  batchId: string,
  records: LogRecord[],
) => Promise<SyslogStoreOutcome>;

/** How a listener batches and bounds what it reads. */
export interface SyslogListenerOptions {
  host: string;
  maxLineBytes: number;
  /** A flush happens at this many lines... */
  flushLines: number;
  /** ...or this long after the first unflushed line, whichever comes first. */
  flushMs: number;
  store: SyslogStore;
  /** Told about every line dropped, with the reason (also counted in `stats`). */
  onDrop?: (reason: string, lines: number) => void;
}

/** Counters of one listener, for metrics and specs. */
export interface SyslogListenerStats {
  received: number;
  stored: number;
  /** Lines dropped, by reason (`invalid_utf8`, `line_too_long`, a limit's reason, `udp_overflow`). */
  dropped: Record<string, number>;
}

const RETRY_MS = 1_000;

/**
 * A syslog listener on one port: frames (TCP) or datagrams (UDP) become records that are stored
 * in flushes of at most `flushLines` lines or `flushMs` of waiting. On TCP a connection is read
 * only while fewer than four flushes' worth of lines wait, so a slow or refusing store (rate
 * limit, JetStream away) pushes back on the sender through TCP instead of growing memory; a
 * flush is retried under the same batch id until stored, so nothing read is lost while the
 * process lives. A line that is not UTF-8 or too long, and a flush the tenant's daily quota
 * refuses, are dropped and counted (syslog has no way to answer them). UDP has no push-back:
 * datagrams that find the buffer full are dropped and counted.
 */
export class SyslogListener {
  readonly stats: SyslogListenerStats = { received: 0, stored: 0, dropped: {} };
  private readonly instance = randomUUID();
  private seq = 0;
  private buffer: LogRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly sockets = new Set<Socket>();
  private tcp: Server | null = null;
  private udp: UdpSocket | null = null;
  private stopped = false;
  private boundPort = 0;

  constructor(
    readonly spec: SyslogPortSpec,
    private readonly options: SyslogListenerOptions,
  ) {}

  /** The port it listens on (the configured one, or the one the OS chose for port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Starts listening. */
  async start(): Promise<void> {
    if (this.spec.protocol === 'tcp') {
      const server = createServer((socket) => this.accept(socket));
      this.tcp = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.spec.port, this.options.host, () => resolve());
      });
      const address = server.address();
      this.boundPort = typeof address === 'object' && address ? address.port : this.spec.port;
    } else {
      const socket = createSocket(this.options.host.includes(':') ? 'udp6' : 'udp4');
      this.udp = socket;
      socket.on('message', (msg) => {
        if (this.buffer.length >= this.maxPending()) this.drop('udp_overflow');
        else this.take(msg);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.spec.port, this.options.host, () => resolve());
      });
      this.boundPort = socket.address().port;
    }
  }

  /** Stops accepting, stores what was read, and closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    if (this.timer) clearTimeout(this.timer);
    await this.flushing;
    if (this.buffer.length > 0) await this.flush().catch(() => undefined);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const deframer = new SyslogDeframer(this.options.maxLineBytes + 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of deframer.push(chunk)) {
        if (frame.kind === 'oversized') this.drop('line_too_long');
        else this.take(frame.bytes);
      }
      if (this.buffer.length >= this.maxPending()) socket.pause();
    });
    socket.on('end', () => {
      for (const frame of deframer.end()) if (frame.kind === 'frame') this.take(frame.bytes);
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private take(bytes: Buffer): void {
    this.stats.received++;
    let record: LogRecord;
    try {
      const text = decodeUtf8(bytes, 'message').replace(/\r?\n$/, '');
      record = parseSyslog(text, Date.now());
      checkLine(record.line, this.options, 'message');
    } catch (error) {
      if (error instanceof LogInputError) return this.drop(error.reason);
      throw error;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.options.flushLines) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
  }

  private drop(reason: string, n = 1): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + n;
    this.options.onDrop?.(reason, n);
  }

  private maxPending(): number {
    return this.options.flushLines * 4;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = this.flush()
      .catch(() => undefined)
      .finally(() => {
        this.flushing = null;
        if (this.buffer.length < this.maxPending()) for (const s of this.sockets) s.resume();
        if (this.buffer.length >= this.options.flushLines) this.kick();
        else if (this.buffer.length > 0)
          this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
      });
  }

  private async flush(): Promise<void> {
    const records = this.buffer.splice(0, this.options.flushLines);
    const batchId = `syslog-${this.spec.protocol}-${this.spec.port}-${this.instance}-${++this.seq}`;
    for (;;) {
      let outcome: SyslogStoreOutcome;
      try {
        outcome = await this.options.store(this.spec.tenantId, batchId, records);
      } catch {
        outcome = { ok: false, reason: 'store_failed', retryAfterMs: RETRY_MS };
      }
      if (outcome.ok) {
        this.stats.stored += records.length;
        return;
      }
      if (outcome.retryAfterMs === null || this.stopped) {
        this.drop(outcome.reason, records.length);
        return;
      }
      await new Promise((r) => setTimeout(r, outcome.retryAfterMs ?? RETRY_MS));
    }
  }
}

/**
 * Parses `STRATA_LOGS_SYSLOG`: comma-separated `<tcp|udp>:<port>=<tenant>` entries, e.g.
 * `tcp:5514=team-a,udp:5514=team-a,tcp:6514=team-b`. Empty: no listener.
 */
export function parseSyslogPorts(text: string): SyslogPortSpec[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(tcp|udp):(\d{1,5})=(\S+)$/.exec(entry);
      if (!m || Number(m[2]) > 65535 || !TenantId.safeParse(m[3]).success)
        throw new Error(
          `syslog listener ${JSON.stringify(entry)}: expected <tcp|udp>:<port>=<tenant id>`,
        );
      return { protocol: m[1] as 'tcp' | 'udp', port: Number(m[2]), tenantId: m[3] };
    });
}
