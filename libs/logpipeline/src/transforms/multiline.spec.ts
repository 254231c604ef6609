import { type LogRecord } from '@strata/contracts';
import { compilePipeline, runPipeline } from '../compile';

const rec = (line: string, pod = 'a'): LogRecord => ({
  timestampNs: '1',
  line,
  labels: { pod },
  fields: {},
});

function merge(preset: 'java' | 'python' | 'go', lines: LogRecord[]): string[] {
  const p = compilePipeline({
    name: 'p',
    transforms: { ml: { type: 'multiline', inputs: ['source'], preset } },
    sinks: { out: { type: 'blackhole', inputs: ['ml'] } },
  });
  return (runPipeline(p, lines).get('out') ?? []).map((r) => r.line);
}

const JAVA = [
  'Exception in thread "main" java.lang.IllegalStateException: boom',
  '\tat com.example.App.run(App.java:42)',
  '\tat com.example.App.main(App.java:10)',
  'Caused by: java.io.IOException: disk full',
  '\tat com.example.Disk.write(Disk.java:7)',
  '\t... 2 more',
];
const PYTHON = [
  'Traceback (most recent call last):',
  '  File "/app/main.py", line 3, in <module>',
  '    main()',
  '  File "/app/main.py", line 2, in main',
  '    raise ValueError("bad input")',
  'ValueError: bad input',
];
const GO = [
  'panic: runtime error: index out of range [3] with length 3',
  '',
  'goroutine 1 [running]:',
  'main.main()',
  '\t/app/main.go:8 +0x1d',
  'exit status 2',
];

describe('multiline presets merge stack traces into one record', () => {
  it.each([
    ['java', JAVA],
    ['python', PYTHON],
    ['go', GO],
  ] as const)('%s, between ordinary lines', (preset, trace) => {
    const out = merge(preset, [
      rec('starting'),
      ...trace.map((l) => rec(l)),
      rec('next request ok'),
    ]);
    expect(out).toEqual(['starting', trace.join('\n'), 'next request ok']);
  });

  it('keeps the traces of two pods apart when their lines interleave', () => {
    const lines: LogRecord[] = [];
    for (let i = 0; i < JAVA.length; i++) lines.push(rec(JAVA[i], 'a'), rec(PYTHON[i], 'b'));
    const out = merge('java', lines);
    expect(out[0]).toBe(JAVA.join('\n'));
    expect(out.slice(1)).toEqual(PYTHON);
  });
});

describe('container runtime lines', () => {
  it('parse_cri joins partial lines and takes the time and stream', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: { cri: { type: 'parse_cri', inputs: ['source'] } },
      sinks: { out: { type: 'blackhole', inputs: ['cri'] } },
    });
    const out = runPipeline(p, [
      rec('2026-12-05T02:00:00.123456789Z stdout P first half, '),
      rec('2026-12-05T02:00:00.200000000Z stderr F an error'),
      rec('2026-12-05T02:00:00.300000000Z stdout F second half'),
    ]).get('out');
    expect(out?.map((r) => [r.line, r.fields.stream, r.timestampNs])).toEqual([
      ['first half, second half', 'stdout', '1796436000123456789'],
      ['an error', 'stderr', '1796436000200000000'],
    ]);
  });

  it('parse_docker joins a 16 KiB split line (no trailing newline) with its rest', () => {
    const p = compilePipeline({
      name: 'p',
      transforms: { d: { type: 'parse_docker', inputs: ['source'] } },
      sinks: { out: { type: 'blackhole', inputs: ['d'] } },
    });
    const big = 'x'.repeat(16384);
    const out = runPipeline(p, [
      rec(JSON.stringify({ log: big, stream: 'stdout', time: '2026-12-05T02:00:00Z' })),
      rec(JSON.stringify({ log: 'tail\n', stream: 'stdout', time: '2026-12-05T02:00:00Z' })),
      rec(JSON.stringify({ log: 'next\n', stream: 'stdout', time: '2026-12-05T02:00:01Z' })),
    ]).get('out');
    expect(out?.map((r) => r.line)).toEqual([`${big}tail`, 'next']);
  });
});
