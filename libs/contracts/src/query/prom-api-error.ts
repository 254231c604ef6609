import { type PromApiReply, type PromErrorType } from './query-api';

/** A request the Prometheus API refuses with one of Prometheus' error types. */
export class PromApiError extends Error {
  constructor(
    readonly errorType: PromErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'PromApiError';
  }

  /** Prometheus' `invalid parameter "<name>": <cause>` bad_data error. */
  static invalidParam(name: string, cause: string): PromApiError {
    return new PromApiError('bad_data', `invalid parameter ${JSON.stringify(name)}: ${cause}`);
  }

  /** The reply body of this error. */
  toReply(): PromApiReply<never> {
    return { status: 'error', errorType: this.errorType, error: this.message };
  }
}
