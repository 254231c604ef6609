import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendFileRange } from './range-sender';

const MiB = 1 << 20;

describe('sendFileRange', () => {
  let dir: string;
  let file: string;
  let bytes: Buffer;
  let server: Server;
  let handle: (req: IncomingMessage, respond: (status: number, body: string) => void) => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'range-sender-'));
    file = join(dir, 'weights.bin');
    // Larger than the four 1 MiB buffers together, so each is read again.
    bytes = randomBytes(6 * MiB + 123);
    await writeFile(file, bytes);
    server = createServer((req, res) =>
      handle(req, (status, body) => {
        res.statusCode = status;
        res.end(body);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  function put(
    offset: number,
    size: number,
    declared = size,
    path = file,
  ): Promise<{ status: number; body: string; sent: number; error?: Error }> {
    let sending: Promise<void> = Promise.resolve();
    const answered = new Promise<{ status: number; body: string; sent: number; error?: Error }>(
      (resolve) => {
        let sent = 0;
        const req = request(
          {
            host: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            method: 'PUT',
            headers: { 'content-length': String(declared) },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
          },
        );
        req.on('error', (error) => resolve({ status: 0, body: '', sent, error }));
        sending = sendFileRange(req, path, offset, size, (n) => (sent += n));
      },
    );
    // The send itself must end too, whatever the server did.
    return Promise.all([answered, sending]).then(([result]) => result);
  }

  it('sends exactly the byte range asked for, counting every byte', async () => {
    handle = (req, respond) => {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => respond(201, hash.digest('hex')));
    };
    const offset = 1000;
    const size = 5 * MiB + 77;
    const result = await put(offset, size);
    expect(result.status).toBe(201);
    expect(result.body).toBe(
      createHash('sha256')
        .update(bytes.subarray(offset, offset + size))
        .digest('hex'),
    );
    expect(result.sent).toBe(size);
  });

  it('stops without hanging when the server refuses and closes the connection midway', async () => {
    handle = (req, respond) => {
      req.once('data', () => {
        respond(413, 'too large');
        req.socket.destroy();
      });
    };
    const result = await put(0, bytes.length);
    // Either the refusal arrived or the connection broke first; the send ends both ways (a send
    // waiting forever on a write the closed socket never completes would time this test out).
    expect(result.status === 413 || result.error !== undefined).toBe(true);
  });

  it('fails the request when the file is shorter than the range', async () => {
    handle = (req, respond) => {
      req.resume();
      req.on('end', () => respond(201, ''));
    };
    const result = await put(bytes.length - 10, 20);
    expect(result.error?.message).toContain(`${file} ends before byte ${bytes.length + 10}`);
  });

  it('fails the request when the file cannot be opened', async () => {
    handle = (req, respond) => {
      req.resume();
      req.on('end', () => respond(201, ''));
    };
    const result = await put(0, 10, 10, join(dir, 'absent.bin'));
    expect(result.error?.message).toContain('ENOENT');
  });
});
