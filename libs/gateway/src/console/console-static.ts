import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Where `npm start` and `npm test` build the console (tools/platform/console-build.mjs). */
export const DEFAULT_CONSOLE_DIR = join(__dirname, '../../../../dist/apps/console');

/** The URL prefix of the console's own files; no API lives under it. */
export const CONSOLE_PREFIX = '/console/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

// The console loads only its own files and talks only to this origin's API; uPlot sizes its
// canvas through style attributes, hence the inline styles.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
}

/**
 * Serves the built console: its files under `/console/`, and its page at `/` for browsers only
 * (`Accept: text/html`), so JSON clients asking `GET /` (the Elasticsearch product check) reach
 * whatever API route answers there. Without a build, `/console/` says how to make one.
 */
export function serveConsole(fastify: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): void {
  const files = loadFiles(dir);
  const index = files.get('index.html');
  const sendIndex = (reply: FastifyReply) =>
    index
      ? reply
          .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
          .type(index.type)
          .send(index.body)
      : reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(
            'The console is not built: run `npm start` or `node tools/platform/console-build.mjs`.\n',
          );

  fastify.addHook('onRequest', async (request, reply) => {
    if (!isBrowserRoot(request)) return;
    await sendIndex(reply);
    return reply;
  });
  fastify.get(`${CONSOLE_PREFIX}*`, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    if (name === '' || name === 'index.html') return sendIndex(reply);
    const file = files.get(name);
    if (!file) {
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `no console file ${name}` } });
    }
    // Vite names every asset by its content hash, so a cached copy is never stale.
    return reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=31536000, immutable' })
      .type(file.type)
      .send(file.body);
  });
}

function isBrowserRoot(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0];
  if (path !== '/') return false;
  return (request.headers.accept ?? '').split(',').some((t) => t.trim().startsWith('text/html'));
}

// Read once at boot: the build is a few hundred kilobytes and changes only with a new process.
function loadFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(dir)) return files;
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const name = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else
        files.set(name, {
          body: readFileSync(join(dir, name)),
          type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
        });
    }
  };
  walk('');
  return files;
}
