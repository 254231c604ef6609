import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { type LogRecord } from '@strata/contracts';
import {
  asSendError,
  checkHttp,
  expandDate,
  type LogSink,
  recordJson,
  SENT,
  type SendContext,
  type SendResult,
} from './log-sink';

/** Discards everything: the benchmark's sink. */
export class BlackholeSink implements LogSink {
  send(): Promise<SendResult> {
    return Promise.resolve(SENT);
  }
}

/**
 * Appends to files under the tenant's own directory, synced before the send counts: a record is
 * acknowledged only once the disk has it. `%Y %m %d %H` in the path expand from each record's time.
 */
export class FileSink implements LogSink {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(
    private readonly root: string,
    private readonly path: string,
    private readonly encoding: 'ndjson' | 'text',
  ) {}

  async send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult> {
    const byFile = new Map<string, string[]>();
    for (const r of records) {
      const file = this.fileOf(ctx.tenantId, expandDate(this.path, r.timestampNs));
      const lines = byFile.get(file) ?? [];
      lines.push(this.encoding === 'text' ? r.line : JSON.stringify(recordJson(r)));
      byFile.set(file, lines);
    }
    try {
      for (const [file, lines] of byFile) {
        const handle = await this.handle(file);
        await handle.write(`${lines.join('\n')}\n`);
        await handle.datasync();
      }
    } catch (error) {
      throw asSendError(error);
    }
    return SENT;
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (h) => (await h.catch(() => null))?.close()));
  }

  private fileOf(tenantId: string, relative: string): string {
    const base = resolve(this.root, tenantId);
    const file = resolve(base, relative);
    // The spec refuses `..` already; this keeps a tenant inside its directory whatever the template expands to.
    if (!file.startsWith(base + sep))
      throw new Error(`file ${relative} leaves the tenant's directory`);
    return file;
  }

  private handle(file: string): Promise<FileHandle> {
    let h = this.handles.get(file);
    if (!h) {
      h = mkdir(dirname(file), { recursive: true }).then(() => open(file, 'a'));
      h.catch(() => this.handles.delete(file));
      this.handles.set(file, h);
    }
    return h;
  }
}

/** The tenant's own directory of file sinks under the configured root. */
export function tenantFileRoot(root: string, tenantId: string): string {
  return join(root, tenantId);
}

/** Posts records as NDJSON (one JSON record a line) or one JSON array. */
export class HttpSink implements LogSink {
  constructor(
    private readonly url: string,
    private readonly encoding: 'ndjson' | 'json',
    private readonly headers: Record<string, string>,
  ) {}

  async send(records: readonly LogRecord[], ctx: SendContext): Promise<SendResult> {
    const body =
      this.encoding === 'json'
        ? JSON.stringify(records.map(recordJson))
        : `${records.map((r) => JSON.stringify(recordJson(r))).join('\n')}\n`;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        body,
        headers: {
          ...this.headers,
          'content-type': this.encoding === 'json' ? 'application/json' : 'application/x-ndjson',
          'x-strata-batch-id': ctx.batchId,
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
