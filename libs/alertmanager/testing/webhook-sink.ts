import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';

/** One request a sink received. */
export interface SinkRequest {
  readonly path: string;
  readonly at: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/** A local HTTP server that records every webhook it receives and answers `status()`. */
export interface WebhookSink {
  readonly url: string;
  readonly requests: SinkRequest[];
  /** The status answered next; tests make the sink fail to see retries. */
  status: number;
  close(): Promise<void>;
}

/** Starts a webhook sink on loopback. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const requests: SinkRequest[] = [];
  const sink = { requests, status: 200 } as { requests: SinkRequest[]; status: number };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: kept as text.
      }
      if (sink.status >= 200 && sink.status < 300)
        requests.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body });
      res.statusCode = sink.status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
