import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import * as protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';

// Loki's `logproto.PushRequest` (pkg/push/push.proto) as a protobufjs descriptor: the spec's
// decoder is independent of the encoder under test.
const lokiRoot = protobuf.Root.fromJSON({
  nested: {
    PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
    StreamAdapter: {
      fields: {
        labels: { type: 'string', id: 1 },
        entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 },
        hash: { type: 'uint64', id: 3 },
      },
    },
    EntryAdapter: {
      fields: {
        timestamp: { type: 'Timestamp', id: 1 },
        line: { type: 'string', id: 2 },
        structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
      },
    },
    LabelPairAdapter: {
      fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
    },
    Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
});
const PushRequest = lokiRoot.lookupType('PushRequest');

/** One Loki entry as the server decoded it. */
export interface ReceivedLokiEntry {
  labels: string;
  timestampNs: string;
  line: string;
}

/** One `_bulk` item: the action and the document. */
export interface ReceivedBulkItem {
  index: string;
  doc: Record<string, unknown>;
}

/** What the server answers for a request, when the spec wants to fail or slow it. */
export type Behaviour = (path: string, n: number) => { status?: number; delayMs?: number } | null;

/**
 * A local HTTP server speaking the sinks' protocols and checking their wire formats: Loki push
 * (protobuf+snappy decoded with Loki's schema, or JSON), Elasticsearch `_bulk` (NDJSON with its
 * trailing newline, an action line before each source line) with per-item statuses the spec
 * chooses, and plain NDJSON/JSON posts. Anything malformed is answered 400 and counted.
 */
export class SinkServer {
  readonly loki: ReceivedLokiEntry[] = [];
  readonly bulkRequests: ReceivedBulkItem[][] = [];
  readonly http: Array<Record<string, unknown>> = [];
  readonly malformed: string[] = [];
  private requests = 0;
  /** Chooses each `_bulk` item's status (default 201). */
  bulkItemStatus: (doc: Record<string, unknown>, request: number) => number = () => 201;
  behaviour: Behaviour = () => null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts on a free port of 127.0.0.1. */
  static async start(): Promise<SinkServer> {
    let self: SinkServer | null = null;
    const server = createServer((req, res) => void self?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new SinkServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0];
    const n = ++this.requests;
    const b = this.behaviour(path, n);
    if (b?.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (b?.status) {
      res.writeHead(b.status).end('injected failure');
      return;
    }
    try {
      if (path.endsWith('/loki/api/v1/push')) return this.lokiPush(req, body, res);
      if (path.endsWith('/_bulk')) return this.bulk(body, res);
      return this.plain(req, body, res);
    } catch (error) {
      this.malformed.push(`${path}: ${String(error)}`);
      res.writeHead(400).end(String(error));
    }
  }

  private lokiPush(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    if (req.headers['content-type'] === 'application/json') {
      const parsed = JSON.parse(body.toString('utf8')) as {
        streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
      };
      for (const s of parsed.streams)
        for (const [ts, line] of s.values)
          this.loki.push({ labels: JSON.stringify(s.stream), timestampNs: ts, line });
      res.writeHead(204).end();
      return;
    }
    if (req.headers['content-type'] !== 'application/x-protobuf')
      throw new Error(`content-type ${req.headers['content-type']}`);
    if (req.headers['content-encoding'] !== 'snappy')
      throw new Error(`content-encoding ${req.headers['content-encoding']}`);
    const decoded = PushRequest.toObject(PushRequest.decode(uncompressSync(body) as Buffer), {
      longs: String,
    }) as {
      streams: Array<{
        labels: string;
        entries: Array<{ timestamp: { seconds?: string; nanos?: number }; line: string }>;
      }>;
    };
    for (const s of decoded.streams)
      for (const e of s.entries)
        this.loki.push({
          labels: s.labels,
          timestampNs: (
            BigInt(e.timestamp.seconds ?? '0') * 1_000_000_000n +
            BigInt(e.timestamp.nanos ?? 0)
          ).toString(),
          line: e.line,
        });
    res.writeHead(204).end();
  }

  private bulk(body: Buffer, res: ServerResponse): void {
    const text = body.toString('utf8');
    // Elasticsearch refuses a bulk body whose last line lacks its newline.
    if (!text.endsWith('\n')) throw new Error('The bulk request must be terminated by a newline');
    const lines = text.slice(0, -1).split('\n');
    if (lines.length % 2 !== 0) throw new Error('an action line without its source line');
    const items: ReceivedBulkItem[] = [];
    const results: unknown[] = [];
    const request = this.bulkRequests.length + 1;
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]) as { create?: { _index?: string } };
      if (!action.create?._index) throw new Error(`line ${i + 1} is not a create action`);
      const doc = JSON.parse(lines[i + 1]) as Record<string, unknown>;
      items.push({ index: action.create._index, doc });
      const status = this.bulkItemStatus(doc, request);
      results.push({
        create: {
          _index: action.create._index,
          status,
          ...(status >= 300 ? { error: { type: 'test_error', reason: `status ${status}` } } : {}),
        },
      });
    }
    this.bulkRequests.push(items);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        took: 1,
        errors: results.some((r) => (r as { create: { status: number } }).create.status >= 300),
        items: results,
      }),
    );
  }

  private plain(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const text = body.toString('utf8');
    if (req.headers['content-type'] === 'application/json') {
      this.http.push(...(JSON.parse(text) as Array<Record<string, unknown>>));
    } else {
      if (!text.endsWith('\n')) throw new Error('NDJSON without its final newline');
      for (const line of text.slice(0, -1).split('\n'))
        this.http.push(JSON.parse(line) as Record<string, unknown>);
    }
    res.writeHead(200).end();
  }
}
