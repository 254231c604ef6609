import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';

/**
 * Set in a supervised child's environment; the child stops when its IPC channel to the parent
 * closes, which is how it learns that the parent died (also by SIGKILL).
 */
export const SUPERVISED_CHILD_ENV = 'STRATA_SUPERVISED_CHILD';

/** How a supervised child is started. */
export interface SupervisedChildOptions {
  /** Prefix of every line the child writes, and of the supervisor's own log lines about it. */
  name: string;
  /** The script Node runs (with this process's `execArgv`, so `-r @swc-node/register` carries over). */
  entry: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** First delay before a restart; it doubles per quick crash up to 30 s. */
  restartDelayMs?: number;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** A child that ran this long before it died is restarted after the first delay again. */
const STABLE_RUN_MS = 60_000;
const STOP_GRACE_MS = 30_000;

/**
 * A Node child process this process keeps running: restarted after a crash, its output passed on
 * line by line with a prefix, stopped with this process. It runs in a process group of its own, so
 * a terminal's Ctrl-C reaches only the parent, which stops the child after its own services.
 */
export class SupervisedChild {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  private readonly logger: Logger;

  constructor(private readonly options: SupervisedChildOptions) {
    this.logger = new Logger(`Supervisor ${options.name}`);
  }

  /** The running child's process id, or null between a crash and its restart. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts the child; later crashes restart it until `stop`. */
  start(): void {
    if (this.stopping) return;
    const startedAt = Date.now();
    // Inspector ports cannot be shared with the parent; profiling flags carry over on purpose.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
    const child = spawn(process.execPath, [...execArgv, this.options.entry, ...this.options.args], {
      env: { ...this.options.env, [SUPERVISED_CHILD_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.child = child;
    const prefix = `[${this.options.name}] `;
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      if (from)
        createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) =>
          to.write(`${prefix}${line}\n`),
        );
    }
    child.on('error', (error) => this.logger.error(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      if (Date.now() - startedAt >= STABLE_RUN_MS) this.restarts = 0;
      const delay = Math.min(
        MAX_RESTART_DELAY_MS,
        (this.options.restartDelayMs ?? 1_000) * 2 ** this.restarts++,
      );
      this.logger.error(
        `process ${child.pid} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`,
      );
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, delay);
    });
    this.logger.log(`process ${child.pid} started`);
  }

  /** Stops the child with SIGTERM (SIGKILL after 30 s) and restarts it no more. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * In a supervised child: stops the process when the parent goes away (its IPC channel closes),
 * so a parent killed with SIGKILL leaves no unsupervised service behind (a router still taking
 * writes).
 */
export function stopWithParent(stop: () => Promise<void>): void {
  const parentGone = () => {
    // Its output went to the parent through pipes that now have no reader.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    new Logger('Strata').warn('the supervising process is gone: stopping');
    void stop().finally(() => process.exit(0));
  };
  // The parent may have died while this process was starting.
  if (!process.connected) return parentGone();
  // The channel must not keep the child alive on its own, nor the parent waiting for messages.
  process.channel?.unref();
  process.once('disconnect', parentGone);
}
