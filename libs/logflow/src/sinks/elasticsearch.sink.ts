import { type LogRecord, type SinkSpec } from '@strata/contracts';
import {
  asSendError,
  checkHttp,
  expandDate,
  type LogSink,
  type SendContext,
  type SendResult,
} from './log-sink';

type EsSpec = Extract<SinkSpec, { type: 'elasticsearch' }>;

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

/** A record as an Elasticsearch document: `@timestamp`, `message`, the labels and the fields. */
export function esDocument(r: LogRecord): Record<string, unknown> {
  const ms = Number(BigInt(r.timestampNs) / 1_000_000n);
  return {
    ...r.fields,
    '@timestamp': new Date(ms).toISOString(),
    message: r.line,
    labels: r.labels,
  };
}

/** The `_bulk` body: a `create` action line and a source line per record, ending with a newline. */
export function bulkBody(records: readonly LogRecord[], indexTemplate: string): string {
  let body = '';
  for (const r of records) {
    body += `${JSON.stringify({ create: { _index: expandDate(indexTemplate, r.timestampNs) } })}\n`;
    body += `${JSON.stringify(esDocument(r))}\n`;
  }
  return body;
}

/**
 * Writes with `_bulk` (data streams and date-named indices alike take `create`). The response is
 * read item by item: items refused with 429 or 5xx are the only ones sent again; other refusals
 * are dead-lettered with their reason.
 */
export class ElasticsearchSink implements LogSink {
  private readonly url: string;

  constructor(private readonly spec: EsSpec) {
    this.url = `${spec.url.replace(/\/+$/, '')}/_bulk`;
  }

  async send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult> {
    let items: Array<Record<string, BulkItemResult>>;
    let errors: boolean;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        body: bulkBody(records, this.spec.index),
        headers: { ...this.spec.headers, 'content-type': 'application/x-ndjson' },
        signal: ctx.signal,
      });
      if (!res.ok) await checkHttp(res, this.url);
      const parsed = (await res.json()) as { errors?: boolean; items?: typeof items };
      errors = parsed.errors === true;
      items = parsed.items ?? [];
    } catch (error) {
      throw asSendError(error);
    }
    if (!errors) return { retry: [], rejected: [] };
    if (items.length !== records.length)
      throw asSendError(new Error(`_bulk answered ${items.length} items for ${records.length}`));
    const retry: LogRecord[] = [];
    const rejected: LogRecord[] = [];
    let reason: string | undefined;
    items.forEach((item, i) => {
      const result = Object.values(item)[0];
      if (!result || (result.status >= 200 && result.status < 300)) return;
      if (result.status === 429 || result.status >= 500) retry.push(records[i]);
      else {
        rejected.push(records[i]);
        reason ??= `${result.status} ${result.error?.type ?? ''}: ${result.error?.reason ?? ''}`;
      }
    });
    return { retry, rejected, error: reason ?? 'items refused with 429 or 5xx' };
  }
}
