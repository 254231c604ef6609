import { type RunningServices } from './start-services';

/**
 * The body of every `main.ts`: starts the process and, when start fails, exits 1 with the reason.
 * Stopping on SIGINT/SIGTERM is wired by `startServices`.
 */
export function runProcess(start: () => Promise<RunningServices>): void {
  start().catch((error: unknown) => {
    process.stderr.write(
      `strata: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
