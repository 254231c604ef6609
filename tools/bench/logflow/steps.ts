// The CPU cost of each step logflow takes over one stored batch (1000 NDJSON-shaped lines), in
// one process on one core, as MiB/s of raw lines: what bounds the pipelines benchmark. Run:
//   node -r @swc-node/register tools/bench/logflow/steps.ts [runs=200]
import { LogBatch, type PipelineSpecInput } from '@strata/contracts';
import { compilePipeline, runPipeline } from '@strata/logpipeline';
import { logBatch, logRecord } from '@strata/logflow/testing';

const runs = Number(process.argv[2] ?? 200);
const ACCESS =
  '^(?P<ip>\\S+) \\S+ (?P<user>\\S+) \\[(?P<time>[^\\]]+)\\] "(?P<method>\\S+) (?P<path>\\S+) (?P<proto>[^"]+)" (?P<status>\\d{3}) (?P<bytes>\\d+)';

const records = Array.from({ length: 1000 }, (_, i) =>
  logRecord(
    JSON.stringify({
      ts: '2026-12-05T02:00:00.000Z',
      level: 'info',
      service: 'checkout',
      msg: `10.1.2.${i % 256} - alice [05/Dec/2026:02:00:00 +0000] "GET /api/v1/orders/1-${i}?expand=items HTTP/1.1" ${i % 50 === 0 ? 503 : 200} ${1000 + i}`,
    }),
    { app: 'checkout' },
  ),
);
const batch = logBatch('bench', records);
const stored = JSON.stringify(batch);
const bytes = records.reduce((n, r) => n + r.line.length, 0);

function measure(name: string, step: () => unknown): void {
  for (let i = 0; i < 20; i++) step();
  const started = performance.now();
  for (let i = 0; i < runs; i++) step();
  const seconds = (performance.now() - started) / 1000 / runs;
  process.stdout.write(`${name}: ${(bytes / seconds / 1024 / 1024).toFixed(1)} MiB/s\n`);
}

const pipeline = (transforms: PipelineSpecInput['transforms'], last: string) =>
  compilePipeline({
    name: 'p',
    transforms,
    sinks: { out: { type: 'blackhole', inputs: [last] } },
  });
const json = { type: 'parse_json' as const, inputs: ['source'] };
const regex = {
  type: 'parse_regex' as const,
  inputs: ['json'],
  field: 'fields.msg',
  target: 'fields.http',
  pattern: ACCESS,
};
const parseJson = pipeline({ json }, 'json');
const parseBoth = pipeline({ json, access: regex }, 'access');
const routed = pipeline(
  {
    json,
    access: regex,
    by: { type: 'route', inputs: ['access'], routes: { errors: 'fields.http.status regex "^5"' } },
  },
  'by.errors',
);

measure('JSON.parse of a stored batch', () => JSON.parse(stored));
measure('JSON.parse + LogBatch schema check', () => LogBatch.safeParse(JSON.parse(stored)));
measure('parse_json', () => runPipeline(parseJson, records));
measure('parse_json + parse_regex', () => runPipeline(parseBoth, records));
measure('parse_json + parse_regex + route', () => runPipeline(routed, records));
measure('… + NDJSON encoding of the parsed records', () =>
  (runPipeline(parseBoth, records).get('out') ?? []).map((r) => JSON.stringify(r)).join('\n'),
);
