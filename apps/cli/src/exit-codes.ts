/**
 * The CLI's exit codes, for scripts:
 * 0 done; 1 the API refused (its code and message on stderr) or a check found a problem;
 * 2 usage (unknown command, missing or bad flag, no credential); 3 a local failure (database,
 * bucket, file); 4 the API could not be reached.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, local: 3, unreachable: 4 } as const;

/** Help text of the exit codes, printed by `strata --help`. */
export const EXIT_CODES_USAGE = `exit codes: 0 done; 1 the API refused (code: message on stderr) or a check found a problem;
  2 usage (unknown command, bad flag, no credential); 3 local failure (database, bucket, file);
  4 the API could not be reached`;

/** A command line the CLI cannot run. */
export class UsageError extends Error {}

/** The API's answer to a refused request: the HTTP status and the Strata or Prometheus error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** No answer from the gateway at all. */
export class UnreachableError extends Error {}
