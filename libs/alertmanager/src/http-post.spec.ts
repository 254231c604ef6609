import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { postBody } from './http-post';

describe('postBody', () => {
  let server: Server;
  let url = '';
  const received: Array<{ headers: IncomingHttpHeaders; body: string; path: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.statusCode = req.url === '/fail' ? 503 : 200;
        res.end('ignored');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (received.length = 0));

  it('posts the body with its headers and answers the status', async () => {
    const signal = new AbortController().signal;
    expect(
      await postBody(`${url}/hook`, '{"a":1}', { 'Content-Type': 'application/json' }, signal),
    ).toBe(200);
    expect(await postBody(`${url}/fail`, '{}', {}, signal)).toBe(503);
    expect(received[0]).toMatchObject({
      path: '/hook',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'content-length': '7' },
    });
    expect(received[0].headers.authorization).toBeUndefined();
  });

  it('sends credentials written in the URL as basic auth, as Alertmanager does', async () => {
    const withUser = url.replace('http://', 'http://bot:p%40ss%20word@');
    expect(await postBody(`${withUser}/hook`, '{}', {}, new AbortController().signal)).toBe(200);
    expect(received[0].headers.authorization).toBe(
      `Basic ${Buffer.from('bot:p@ss word').toString('base64')}`,
    );
  });

  it('rejects when nothing listens and when the signal aborts', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(
      postBody(`http://127.0.0.1:${port}/`, '{}', {}, new AbortController().signal),
    ).rejects.toThrow();
    await expect(postBody(`${url}/hook`, '{}', {}, AbortSignal.abort())).rejects.toThrow();
  });

  it('gives up on a receiver that does not answer once the signal aborts', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const controller = new AbortController();
      const pending = postBody(`http://127.0.0.1:${port}/hook`, '{}', {}, controller.signal);
      setTimeout(() => controller.abort(new Error('notify timeout')), 50);
      await expect(pending).rejects.toThrow('notify timeout');
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
