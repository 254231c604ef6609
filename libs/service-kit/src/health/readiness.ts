import { Injectable } from '@nestjs/common';

/** The outcome of one readiness check. */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** A readiness check, e.g. "Postgres answers SELECT 1"; a throw counts as a failure. */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

/** How long one check may take before it counts as failed, so a hung dependency cannot hang /readyz. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * The checks that decide whether this process is ready: the bus connection is always one; modules
 * add theirs (Postgres, bucket) at init. Health replies and `/readyz` both read from here.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private stopping = false;

  /** Adds (or replaces) the check called `name`. */
  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Marks the process as shutting down: it stays alive but is no longer ready. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Runs every check in parallel. */
  async run(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const checks: Record<string, CheckResult> = Object.fromEntries(entries);
    if (this.stopping) checks['shutdown'] = { ok: false, detail: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
