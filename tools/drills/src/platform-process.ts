// A Strata process of a drill, started as the README's tooling starts one (swc, the app's
// main.ts), that can be killed with SIGKILL and started again with the same environment.
import { startAppProcess, type AppProcess } from '@strata/testing';

/** One app process across kills and restarts; its output is kept from every run. */
export class PlatformProcess {
  private current: AppProcess | null = null;
  private earlier = '';

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly ready: RegExp,
  ) {}

  /** Starts it and waits for its ready line; fails with the tail of its output otherwise. */
  async start(): Promise<void> {
    const app = await startAppProcess({
      entry: this.entry,
      args: this.args,
      env: this.env,
      ready: this.ready,
      timeoutMs: 120_000,
    });
    this.current = app;
    if (!this.ready.test(app.output())) {
      app.child.kill('SIGKILL');
      throw new Error(`${this.name} did not start:\n${app.output().slice(-4_000)}`);
    }
  }

  /** `kill -9`: no shutdown hooks, no final snapshot, leases left to expire. */
  async kill(): Promise<void> {
    const app = this.current;
    if (!app) return;
    this.current = null;
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    await app.exited;
    this.earlier += app.output();
  }

  /** An orderly stop (SIGTERM), for the end of a drill. */
  async stop(): Promise<void> {
    const app = this.current;
    if (!app) return;
    this.current = null;
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGTERM');
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 20_000);
    await app.exited;
    clearTimeout(timer);
    this.earlier += app.output();
  }

  /** Everything it printed, over every run. */
  output(): string {
    return this.earlier + (this.current?.output() ?? '');
  }
}
