import { StrataError } from '@strata/contracts';

/** A write whose expected stream version no longer holds; nothing of it was written. */
export class ExpectedVersionConflictError extends StrataError {
  constructor(
    readonly streamId: string,
    readonly expected: number | 'no_stream',
    readonly actual: number,
  ) {
    super(
      'version_conflict',
      `stream ${streamId} is at version ${actual}, expected ${expected === 'no_stream' ? 'no stream' : expected}`,
    );
  }
}

/** The event store was asked for something it cannot do (bad stream id, empty append, ...). */
export class EventStoreUsageError extends StrataError {
  constructor(message: string) {
    super('bad_request', message);
  }
}
