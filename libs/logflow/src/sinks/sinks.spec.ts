import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogRecord } from '@strata/contracts';
import { SinkServer } from '../../testing/sink-server';
import { deliverToSink } from './sink-delivery';
import { createSink } from './sink-factory';

const rec = (i: number, labels: Record<string, string> = { app: 'api' }): LogRecord => ({
  timestampNs: `17964360001234567${String(i).padStart(2, '0')}`,
  line: `line ${i} ü`,
  labels,
  fields: { i, level: i % 2 === 0 ? 'info' : 'error' },
});
const ctx = () => ({
  tenantId: 'acme',
  batchId: 'b1',
  stopping: new AbortController().signal,
});

describe('sinks against a local server that checks each wire format', () => {
  let server: SinkServer;
  let dir: string;

  beforeEach(async () => {
    server = await SinkServer.start();
    dir = mkdtempSync(join(tmpdir(), 'logflow-sinks-'));
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Loki: protobuf+snappy decoded with Loki schema, one stream per label set, nanosecond times', async () => {
    const sink = createSink(
      {
        type: 'loki',
        inputs: ['source'],
        url: server.url,
        labels: { app: 'labels.app', level: 'fields.level' },
      },
      { fileRoot: dir },
    );
    const records = [rec(1), rec(2), rec(3)];
    const outcome = await deliverToSink(sink, records, undefined, ctx());
    expect(outcome).toEqual({ delivered: 3, attempts: 1, dead: [] });
    expect(server.malformed).toEqual([]);
    expect(server.loki).toEqual([
      {
        labels: '{app="api", level="error"}',
        timestampNs: records[0].timestampNs,
        line: 'line 1 ü',
      },
      {
        labels: '{app="api", level="error"}',
        timestampNs: records[2].timestampNs,
        line: 'line 3 ü',
      },
      {
        labels: '{app="api", level="info"}',
        timestampNs: records[1].timestampNs,
        line: 'line 2 ü',
      },
    ]);
  });

  it('Loki JSON push carries the same entries', async () => {
    const sink = createSink(
      { type: 'loki', inputs: ['source'], url: `${server.url}/loki/api/v1/push`, encoding: 'json' },
      { fileRoot: dir },
    );
    await deliverToSink(sink, [rec(1)], undefined, ctx());
    expect(server.loki).toEqual([
      { labels: '{"app":"api"}', timestampNs: rec(1).timestampNs, line: 'line 1 ü' },
    ]);
  });

  it('_bulk: NDJSON with the trailing newline, dated index, and only the failed items sent again', async () => {
    // Items 2 and 4 are refused with 429 on the first request, item 3 with 400 (never retried).
    server.bulkItemStatus = (doc, request) => {
      const i = doc.i as number;
      if (i === 3) return 400;
      if (request === 1 && (i === 2 || i === 4)) return 429;
      return 201;
    };
    const sink = createSink(
      { type: 'elasticsearch', inputs: ['source'], url: server.url, index: 'logs-%Y.%m.%d' },
      { fileRoot: dir },
    );
    const outcome = await deliverToSink(
      sink,
      [1, 2, 3, 4, 5].map((i) => rec(i)),
      { backoff_ms: 10 },
      ctx(),
    );
    expect(server.malformed).toEqual([]);
    expect(server.bulkRequests.map((items) => items.map((it) => it.doc.i))).toEqual([
      [1, 2, 3, 4, 5],
      [2, 4],
    ]);
    expect(server.bulkRequests[0][0]).toMatchObject({
      index: 'logs-2026.12.05',
      doc: {
        message: 'line 1 ü',
        '@timestamp': '2026-12-05T02:00:00.123Z',
        labels: { app: 'api' },
      },
    });
    expect(outcome.delivered).toBe(4);
    expect(outcome.attempts).toBe(2);
    expect(outcome.dead).toEqual([
      { records: [rec(3)], error: '400 test_error: status 400', attempts: 1 },
    ]);
  });

  it('HTTP NDJSON: retries 503 with backoff, then dead-letters after max_attempts', async () => {
    server.behaviour = (_path, n) => (n <= 2 ? { status: 503 } : null);
    const sink = createSink(
      { type: 'http', inputs: ['source'], url: `${server.url}/ingest` },
      { fileRoot: dir },
    );
    const ok = await deliverToSink(sink, [rec(1), rec(2)], { backoff_ms: 5 }, ctx());
    expect(ok).toMatchObject({ delivered: 2, attempts: 3, dead: [] });
    expect(server.http.map((r) => r.line)).toEqual(['line 1 ü', 'line 2 ü']);

    server.behaviour = () => ({ status: 500 });
    const failed = await deliverToSink(sink, [rec(3)], { backoff_ms: 5, max_attempts: 3 }, ctx());
    expect(failed).toMatchObject({ delivered: 0, attempts: 3 });
    expect(failed.dead[0].records).toEqual([rec(3)]);
    expect(failed.dead[0].error).toContain('answered 500');

    server.behaviour = () => ({ status: 400 });
    const refused = await deliverToSink(sink, [rec(4)], { backoff_ms: 5 }, ctx());
    expect(refused).toMatchObject({ delivered: 0, attempts: 1 });
  });

  it('file: NDJSON under the tenant directory, the path expanded from each record time', async () => {
    const sink = createSink(
      { type: 'file', inputs: ['source'], path: 'app/%Y-%m-%d/%H.log' },
      { fileRoot: dir },
    );
    await deliverToSink(sink, [rec(1), rec(2)], undefined, ctx());
    await sink.close?.();
    const lines = readFileSync(join(dir, 'acme/app/2026-12-05/02.log'), 'utf8').split('\n');
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as { line: string }).line)).toEqual([
      'line 1 ü',
      'line 2 ü',
    ]);
    expect(lines[2]).toBe('');
  });
});
