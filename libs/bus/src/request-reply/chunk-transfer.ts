import { createInbox, Empty, type Msg, type NatsConnection } from '@nats-io/nats-core';
import {
  CHUNK_HEADER_BUDGET,
  ChunkHeaders,
  formatChunkPart,
  joinParts,
  newChunkId,
  parseChunkPart,
  splitPayload,
} from '../chunking';
import { headerBytes, toNatsHeaders } from '../codec';
import { ChunkAssemblyError } from '../errors';

/** How long one side of a chunked exchange waits for the other before giving the exchange up. */
const CHUNK_IDLE_MS = 30_000;

/**
 * Moves payloads above max_payload across a request/reply exchange in parts, both ways: the
 * requester uploads to an inbox the server names, the server offers a large reply on an inbox
 * the requester pulls from (the scheme is in the README).
 */
export class ChunkTransfer {
  constructor(
    private readonly nc: NatsConnection,
    /** Prefix of the inboxes of chunk exchanges, the connection's own (its identity may subscribe only there). */
    private readonly inboxPrefix?: string,
  ) {}

  private chunkSize(headers?: Record<string, string>): number {
    const max = this.nc.info?.max_payload ?? 1024 * 1024;
    return Math.max(1024, max - CHUNK_HEADER_BUDGET - headerBytes(headers));
  }

  /** Sends the request, uploading the parts after the first to the inbox the server named. */
  async sendParts(
    subject: string,
    body: Uint8Array,
    headers: Record<string, string> | undefined,
    deadline: number,
  ): Promise<Msg> {
    const size = this.chunkSize(headers);
    if (body.length <= size)
      return this.nc.request(subject, body, {
        timeout: remaining(deadline),
        headers: toNatsHeaders(headers),
      });
    const parts = splitPayload(body, size);
    const id = newChunkId();
    const head = (index: number, extra?: Record<string, string>) =>
      toNatsHeaders({
        ...extra,
        [ChunkHeaders.part]: formatChunkPart(index, parts.length),
        [ChunkHeaders.id]: id,
      });
    const first = await this.nc.request(subject, parts[0], {
      timeout: remaining(deadline),
      headers: head(0, { ...headers, [ChunkHeaders.bytes]: String(body.length) }),
    });
    const inbox = first.headers?.get(ChunkHeaders.inbox);
    if (!inbox) return first;
    let reply = first;
    for (let i = 1; i < parts.length; i++) {
      reply = await this.nc.request(inbox, parts[i], {
        timeout: remaining(deadline),
        headers: head(i),
      });
    }
    return reply;
  }

  /** Pulls the remaining parts of a chunked reply from the inbox the server named. */
  async receiveParts(reply: Msg, deadline: number): Promise<Uint8Array> {
    const part = parseChunkPart(reply.headers?.get(ChunkHeaders.part) || undefined);
    if (!part) return reply.data;
    const inbox = reply.headers?.get(ChunkHeaders.inbox);
    if (!inbox) throw new ChunkAssemblyError('chunked reply without an inbox');
    const parts = [reply.data];
    for (let i = 1; i < part.count; i++) {
      const next = await this.nc.request(inbox, Empty, {
        timeout: remaining(deadline),
        headers: toNatsHeaders({ [ChunkHeaders.part]: formatChunkPart(i, part.count) }),
      });
      parts.push(next.data);
    }
    return joinParts(parts, Number(reply.headers?.get(ChunkHeaders.bytes) || NaN));
  }

  /** For a chunked request, collects the remaining parts; returns the message to answer. */
  async receiveUpload(first: Msg): Promise<{ data: Uint8Array; replyTo: Msg } | null> {
    const part = parseChunkPart(first.headers?.get(ChunkHeaders.part) || undefined);
    if (!part) return { data: first.data, replyTo: first };
    if (part.index !== 0) throw new ChunkAssemblyError(`request started with part ${part.index}`);
    const parts: Uint8Array[] = new Array<Uint8Array>(part.count);
    parts[0] = first.data;
    const inbox = createInbox(this.inboxPrefix);
    const upload = this.nc.subscribe(inbox);
    let timer = setTimeout(() => upload.unsubscribe(), CHUNK_IDLE_MS);
    first.respond(Empty, { headers: toNatsHeaders({ [ChunkHeaders.inbox]: inbox }) });
    let last: Msg | null = null;
    for await (const m of upload) {
      clearTimeout(timer);
      timer = setTimeout(() => upload.unsubscribe(), CHUNK_IDLE_MS);
      const p = parseChunkPart(m.headers?.get(ChunkHeaders.part) || undefined);
      if (!p || p.count !== part.count) throw new ChunkAssemblyError('part of another upload');
      parts[p.index] = m.data;
      if (p.index === part.count - 1) {
        last = m;
        break;
      }
      m.respond(Empty);
    }
    clearTimeout(timer);
    upload.unsubscribe();
    if (!last) throw new ChunkAssemblyError(`upload idle for ${CHUNK_IDLE_MS} ms`);
    return {
      data: joinParts(parts, Number(first.headers?.get(ChunkHeaders.bytes) || NaN)),
      replyTo: last,
    };
  }

  /** Answers `msg`; a reply above max_payload is offered part by part on a fresh inbox. */
  respond(msg: Msg, data: Uint8Array): void {
    const size = this.chunkSize();
    if (data.length <= size) {
      msg.respond(data);
      return;
    }
    const parts = splitPayload(data, size);
    const inbox = createInbox(this.inboxPrefix);
    let timer: NodeJS.Timeout | undefined;
    const download = this.nc.subscribe(inbox, {
      callback: (_err, m) => {
        clearTimeout(timer);
        const p = m ? parseChunkPart(m.headers?.get(ChunkHeaders.part) || undefined) : null;
        if (!p || !parts[p.index]) return;
        m.respond(parts[p.index]);
        if (p.index === parts.length - 1) download.unsubscribe();
        else timer = setTimeout(() => download.unsubscribe(), CHUNK_IDLE_MS);
      },
    });
    timer = setTimeout(() => download.unsubscribe(), CHUNK_IDLE_MS);
    msg.respond(parts[0], {
      headers: toNatsHeaders({
        [ChunkHeaders.part]: formatChunkPart(0, parts.length),
        [ChunkHeaders.id]: newChunkId(),
        [ChunkHeaders.bytes]: String(data.length),
        [ChunkHeaders.inbox]: inbox,
      }),
    });
  }
}

/** Milliseconds left until `deadline`, at least 1 (nats.js treats 0 as no timeout). */
export function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
