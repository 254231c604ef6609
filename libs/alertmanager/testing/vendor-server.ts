import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One request a vendor server received, its query parsed and its JSON body decoded. */
export interface VendorRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/** A local stand-in for a vendor's API: it checks each request as the vendor documents and answers. */
export interface VendorServer {
  readonly url: string;
  readonly requests: VendorRequest[];
  close(): Promise<void>;
}

/** Starts a server on loopback that answers each request with what `answer` returns (status 200 by default). */
export async function startVendorServer(
  answer: (req: VendorRequest) => { status?: number; body: unknown },
): Promise<VendorServer> {
  const requests: VendorRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the vendor check sees the text.
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const received = { path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(received);
      const reply = answer(received);
      res.statusCode = reply.status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
