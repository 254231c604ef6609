import { type LogRecord, type PipelineSpecInput } from '@strata/contracts';
import { compilePipeline, runPipeline } from './compile';
import { PipelineValidationError } from './problems';

const rec = (
  line: string,
  labels: Record<string, string> = { app: 'api' },
  ns = '1',
): LogRecord => ({
  timestampNs: ns,
  line,
  labels,
  fields: {},
});

function problemsOf(spec: PipelineSpecInput): Array<{ path: string; message: string }> {
  try {
    compilePipeline(spec);
  } catch (e) {
    if (e instanceof PipelineValidationError) return e.problems;
    throw e;
  }
  throw new Error('compiled');
}

describe('pipeline validation', () => {
  const sink = { out: { type: 'blackhole' as const, inputs: ['a'] } };

  it('refuses a cycle, naming the transforms on it', () => {
    const problems = problemsOf({
      name: 'p',
      transforms: {
        a: { type: 'parse_json', inputs: ['b'] },
        b: { type: 'parse_json', inputs: ['a'] },
      },
      sinks: sink,
    });
    expect(problems).toEqual([{ path: 'transforms.a.inputs', message: 'cycle: a -> b -> a' }]);
  });

  it('refuses unknown inputs and an unknown route output, with their paths', () => {
    const problems = problemsOf({
      name: 'p',
      transforms: {
        a: { type: 'route', inputs: ['source'], routes: { errors: 'fields.level = "error"' } },
      },
      sinks: {
        x: { type: 'blackhole', inputs: ['nope'] },
        y: { type: 'blackhole', inputs: ['a.warnings'] },
        z: { type: 'blackhole', inputs: ['a.errors', 'a._unmatched'] },
      },
    });
    expect(problems.map((p) => p.path)).toEqual(['sinks.x.inputs.0', 'sinks.y.inputs.0']);
  });

  it('refuses patterns RE2 does not accept (backreferences, lookahead) and bad conditions', () => {
    const problems = problemsOf({
      name: 'p',
      transforms: {
        a: { type: 'parse_regex', inputs: ['source'], pattern: '(a)\\1' },
        b: { type: 'filter', inputs: ['source'], condition: 'fields.level = ' },
        c: { type: 'redact', inputs: ['source'], patterns: ['(?=x)'] },
      },
      sinks: { out: { type: 'blackhole', inputs: ['a', 'b', 'c'] } },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'transforms.a.pattern',
      'transforms.b.condition',
      'transforms.c.patterns',
    ]);
  });

  it('refuses a bad shape with the zod path, and a pipeline without sinks', () => {
    expect(problemsOf({ name: 'p', sinks: {} })).toEqual([
      { path: 'sinks', message: 'a pipeline needs a sink' },
    ]);
    expect(
      problemsOf({
        name: 'p',
        sinks: { f: { type: 'file', inputs: ['source'], path: '../etc/passwd' } },
      }).map((p) => p.path),
    ).toEqual(['sinks.f.path']);
  });
});

describe('running a pipeline', () => {
  it('parses JSON, drops debug lines, routes errors to one sink and everything to another', () => {
    const p = compilePipeline({
      name: 'app',
      transforms: {
        json: { type: 'parse_json', inputs: ['source'] },
        nodebug: { type: 'filter', inputs: ['json'], condition: 'fields.level != "debug"' },
        by_level: {
          type: 'route',
          inputs: ['nodebug'],
          routes: { errors: 'fields.level = "error"' },
        },
      },
      sinks: {
        errors: { type: 'file', inputs: ['by_level.errors'], path: 'errors.log' },
        all: { type: 'loki', inputs: ['nodebug'], url: 'http://loki:3100' },
      },
    });
    const out = runPipeline(p, [
      rec('{"level":"info","msg":"up"}'),
      rec('{"level":"debug","msg":"noise"}'),
      rec('{"level":"error","msg":"down","err":{"code":7}}'),
      rec('not json'),
    ]);
    expect(out.get('errors')?.map((r) => r.fields)).toEqual([
      { level: 'error', msg: 'down', err: { code: 7 } },
    ]);
    // A line without a level is not "debug": absent fields make the comparison false, so it is dropped.
    expect(out.get('all')?.map((r) => r.line)).toEqual([
      '{"level":"info","msg":"up"}',
      '{"level":"error","msg":"down","err":{"code":7}}',
    ]);
  });

  it('keeps branches apart: a parser on one branch does not change the records of another', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: { kv: { type: 'parse_logfmt', inputs: ['source'] } },
      sinks: {
        parsed: { type: 'blackhole', inputs: ['kv'] },
        raw: { type: 'blackhole', inputs: ['source'] },
      },
    });
    const out = runPipeline(p, [rec('level=warn msg="disk at 91%" retry')]);
    expect(out.get('parsed')?.[0].fields).toEqual({
      level: 'warn',
      msg: 'disk at 91%',
      retry: true,
    });
    expect(out.get('raw')?.[0].fields).toEqual({});
  });

  it('parse_regex takes named captures with RE2 syntax', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: {
        nginx: {
          type: 'parse_regex',
          inputs: ['source'],
          pattern:
            '^(?P<ip>\\S+) \\S+ \\S+ \\[[^\\]]+\\] "(?P<method>\\w+) (?P<path>\\S+)[^"]*" (?P<status>\\d{3})',
          target: 'fields.http',
          drop_invalid: true,
        },
      },
      sinks: { out: { type: 'blackhole', inputs: ['nginx'] } },
    });
    const out = runPipeline(p, [
      rec('10.0.0.1 - - [05/Dec/2026:02:00:00 +0000] "GET /api/v1/x HTTP/1.1" 503 12'),
      rec('garbage'),
    ]);
    expect(out.get('out')?.map((r) => r.fields)).toEqual([
      { http: { ip: '10.0.0.1', method: 'GET', path: '/api/v1/x', status: '503' } },
    ]);
  });

  it('remap sets labels from fields, renames and deletes; redact scrubs fields and patterns', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: {
        json: { type: 'parse_json', inputs: ['source'] },
        m: {
          type: 'remap',
          inputs: ['json'],
          set: { 'labels.namespace': '${fields.ns}', 'fields.env': 'prod' },
          rename: { 'fields.msg': 'fields.message' },
          delete: ['fields.ns'],
        },
        r: {
          type: 'redact',
          inputs: ['m'],
          fields: ['fields.password'],
          patterns: ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b'],
        },
      },
      sinks: { out: { type: 'blackhole', inputs: ['r'] } },
    });
    const [r] =
      runPipeline(p, [
        rec('{"ns":"shop","msg":"paid with 4111-1111-1111-1111","password":"hunter2"}'),
      ]).get('out') ?? [];
    expect(r.labels).toEqual({ app: 'api', namespace: 'shop' });
    expect(r.fields).toEqual({
      env: 'prod',
      message: 'paid with [REDACTED]',
      password: '[REDACTED]',
    });
    // `fields` redacts parsed values; only `patterns` reach into the raw line.
    expect(r.line).toBe('{"ns":"shop","msg":"paid with [REDACTED]","password":"hunter2"}');
  });

  it('throttle keeps threshold records per key and window; sample decides the same way twice', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: {
        t: {
          type: 'throttle',
          inputs: ['source'],
          threshold: 2,
          window_ms: 1000,
          key_field: 'labels.app',
        },
        s: { type: 'sample', inputs: ['source'], rate: 10 },
      },
      sinks: {
        throttled: { type: 'blackhole', inputs: ['t'] },
        sampled: { type: 'blackhole', inputs: ['s'] },
      },
    });
    const batch = [
      ...Array.from({ length: 5 }, (_, i) => rec(`a${i}`, { app: 'a' })),
      ...Array.from({ length: 5 }, (_, i) => rec(`b${i}`, { app: 'b' })),
    ];
    expect(
      runPipeline(p, batch, 1000)
        .get('throttled')
        ?.map((r) => r.line),
    ).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(runPipeline(p, batch, 1500).get('throttled')).toBeUndefined();
    expect(runPipeline(p, batch, 2000).get('throttled')).toHaveLength(4);
    const many = Array.from({ length: 10_000 }, (_, i) => rec(`line ${i}`));
    const kept = runPipeline(p, many).get('sampled') ?? [];
    expect(kept.length).toBeGreaterThan(800);
    expect(kept.length).toBeLessThan(1200);
    expect(runPipeline(p, many).get('sampled')).toEqual(kept);
  });

  it('log_to_metric counts lines by namespace, pod and container (logging_entry_count)', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: {
        count: {
          type: 'log_to_metric',
          inputs: ['source'],
          metrics: [
            {
              name: 'logging_entry_count',
              labels: {
                namespace: 'labels.namespace',
                pod: 'labels.pod',
                container: 'labels.container',
              },
            },
          ],
        },
      },
      sinks: { out: { type: 'blackhole', inputs: ['count'] } },
    });
    const pod = (n: string) => ({ namespace: 'shop', pod: n, container: 'app' });
    const out = runPipeline(p, [rec('x', pod('a')), rec('y', pod('a')), rec('z', pod('b'))]);
    expect(out.get('out')).toHaveLength(3);
    expect(p.metrics.snapshot()).toEqual([
      {
        name: 'logging_entry_count',
        labels: [
          { name: 'container', value: 'app' },
          { name: 'namespace', value: 'shop' },
          { name: 'pod', value: 'a' },
        ],
        value: 2,
      },
      {
        name: 'logging_entry_count',
        labels: [
          { name: 'container', value: 'app' },
          { name: 'namespace', value: 'shop' },
          { name: 'pod', value: 'b' },
        ],
        value: 1,
      },
    ]);
  });
});
