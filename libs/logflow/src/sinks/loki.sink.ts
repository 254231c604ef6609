import { type LogRecord, type SinkSpec } from '@strata/contracts';
import { type CompiledPath, compilePath, getText } from '@strata/logpipeline';
import {
  asSendError,
  checkHttp,
  type LogSink,
  SENT,
  type SendContext,
  type SendResult,
} from './log-sink';
import { encodeLokiPushJson, encodeLokiPushSnappy, lokiStreams } from './loki-push';

type LokiSpec = Extract<SinkSpec, { type: 'loki' }>;

const PUSH_PATH = '/loki/api/v1/push';

/** Pushes to Loki (or anything speaking its push API): protobuf+snappy by default, or JSON. */
export class LokiSink implements LogSink {
  private readonly url: string;
  private readonly labels: Array<[string, CompiledPath]> | null;

  constructor(private readonly spec: LokiSpec) {
    const base = spec.url.replace(/\/+$/, '');
    this.url = base.endsWith(PUSH_PATH) ? base : `${base}${PUSH_PATH}`;
    this.labels = spec.labels
      ? Object.entries(spec.labels).map(([name, path]) => [name, compilePath(path)])
      : null;
  }

  async send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult> {
    const labelsOf = this.labels
      ? (r: LogRecord) => {
          const out: Record<string, string> = {};
          for (const [name, path] of this.labels ?? []) {
            const v = getText(r, path);
            // Loki refuses empty label values; a label that is not there is left out.
            if (v !== '') out[name] = v;
          }
          return out;
        }
      : (r: LogRecord) => r.labels;
    const streams = lokiStreams(records, labelsOf);
    const json = this.spec.encoding === 'json';
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        body: json ? encodeLokiPushJson(streams) : encodeLokiPushSnappy(streams),
        headers: {
          ...this.spec.headers,
          'content-type': json ? 'application/json' : 'application/x-protobuf',
          ...(json ? {} : { 'content-encoding': 'snappy' }),
          ...(this.spec.tenant_id ? { 'x-scope-orgid': this.spec.tenant_id } : {}),
        },
        signal: ctx.signal,
      });
      await checkHttp(res, this.url);
    } catch (error) {
      throw asSendError(error);
    }
    return SENT;
  }
}
