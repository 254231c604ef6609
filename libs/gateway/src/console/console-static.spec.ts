import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { serveConsole } from './console-static';

describe('serving the console beside the API', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets/index-abc.js'), 'console.log(1)');
    app = Fastify();
    serveConsole(app, dir);
    // An API answering `GET /` the way an Elasticsearch client's product check expects.
    app.get('/', async () => ({ tagline: 'You Know, for Search' }));
    app.get('/api/v1/status', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives browsers the console page at / and leaves JSON clients to the API route there', async () => {
    const browser = await app.inject({ url: '/', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.body).toContain('<title>console</title>');
    expect(browser.headers['content-security-policy']).toContain("default-src 'self'");
    for (const accept of ['application/json', '*/*', undefined]) {
      const client = await app.inject({ url: '/', headers: accept ? { accept } : {} });
      expect(client.json()).toEqual({ tagline: 'You Know, for Search' });
    }
  });

  it('serves hashed assets as immutable under /console/ and never shadows an API path', async () => {
    const asset = await app.inject({ url: '/console/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/console/' })).body).toContain('<title>console</title>');
    expect((await app.inject({ url: '/console/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/console/../package.json' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/api/v1/status', headers: { accept: 'text/html' } });
    expect(api.json()).toEqual({ ok: true });
  });

  it('says how to build the console when there is no build', async () => {
    const bare = Fastify();
    serveConsole(bare, join(dir, 'nowhere'));
    const page = await bare.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('console-build.mjs');
    await bare.close();
  });
});
