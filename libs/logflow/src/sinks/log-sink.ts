import { type LogRecord } from '@strata/contracts';

/** Why a send failed, and whether trying again can help (a 400 will not; a 503 or a reset may). */
export class SinkSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SinkSendError';
  }
}

/**
 * What a send achieved: nothing left, or the records still to deliver (items a `_bulk` refused
 * with a retryable status) and the ones refused for good, each with why.
 */
export interface SendResult {
  retry: LogRecord[];
  rejected: LogRecord[];
  error?: string;
}

/** Everything went. */
export const SENT: SendResult = { retry: [], rejected: [] };

/** Where one batch is going: the tenant and batch, for paths, headers and ids. */
export interface SendContext {
  tenantId: string;
  batchId: string;
  signal: AbortSignal;
}

/** A destination of a pipeline; one send is one request (or one write) with all its records. */
export interface LogSink {
  send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult>;
  close?(): Promise<void>;
}

/** The response status of an HTTP sink as a send outcome: 2xx sent, 429/5xx retryable, the rest refused. */
export async function checkHttp(res: Response, what: string): Promise<void> {
  if (res.ok) {
    await res.body?.cancel();
    return;
  }
  const text = (await res.text().catch(() => '')).slice(0, 300);
  throw new SinkSendError(
    `${what} answered ${res.status}: ${text}`,
    res.status === 429 || res.status >= 500 || res.status === 408,
  );
}

/** A thrown error as a send error: network failures and timeouts may succeed on retry. */
export function asSendError(error: unknown): SinkSendError {
  if (error instanceof SinkSendError) return error;
  return new SinkSendError(error instanceof Error ? error.message : String(error), true, {
    cause: error,
  });
}

/** UTC date parts of a nanosecond timestamp for `%Y %m %d %H` templates. */
export function expandDate(template: string, timestampNs: string | number): string {
  const ms =
    typeof timestampNs === 'number' ? timestampNs : Number(BigInt(timestampNs) / 1_000_000n);
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return template
    .replaceAll('%Y', String(d.getUTCFullYear()))
    .replaceAll('%m', two(d.getUTCMonth() + 1))
    .replaceAll('%d', two(d.getUTCDate()))
    .replaceAll('%H', two(d.getUTCHours()));
}

/** A record as the JSON and NDJSON encodings write it. */
export function recordJson(r: LogRecord): Record<string, unknown> {
  return { timestamp_ns: r.timestampNs, line: r.line, labels: r.labels, fields: r.fields };
}
