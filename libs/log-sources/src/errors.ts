/** Why a source refused input: each maps to the protocol's own 4xx or per-item error. */
export type LogInputReason =
  'malformed' | 'line_too_long' | 'invalid_utf8' | 'decoded_too_large' | 'unsupported_encoding';

/** Input a source cannot take; `where` names the stream, line or item (`streams[2].values[7]`). */
export class LogInputError extends Error {
  constructor(
    readonly reason: LogInputReason,
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(where === '' ? message : `${where}: ${message}`, options);
    this.name = 'LogInputError';
  }
}
