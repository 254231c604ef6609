/** Base class of every error the engine raises while evaluating a query. */
export class PromQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromQLError';
  }
}

/** The query ran longer than the engine's timeout. */
export class QueryTimeoutError extends PromQLError {
  constructor(env = 'expression evaluation') {
    super(`query timed out in ${env}`);
    this.name = 'QueryTimeoutError';
  }
}

/** The caller aborted the query. */
export class QueryCanceledError extends PromQLError {
  constructor(env = 'expression evaluation') {
    super(`query was canceled in ${env}`);
    this.name = 'QueryCanceledError';
  }
}

/** The query would hold more samples in memory than the engine allows. */
export class TooManySamplesError extends PromQLError {
  constructor(env = 'query execution') {
    super(`query processing would load too many samples into memory in ${env}`);
    this.name = 'TooManySamplesError';
  }
}

/** A user-facing evaluation failure such as duplicate label sets or bad matching. */
export class EvalError extends PromQLError {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}
