import { type LogRecord } from '@strata/contracts';
import { compilePipeline, runPipeline } from './compile';
import { HeldEvents } from './held-events';

const rec = (line: string, pod = 'a'): LogRecord => ({
  timestampNs: '1',
  line,
  labels: { pod },
  fields: {},
});

const pipeline = (transform: object) =>
  compilePipeline({
    name: 'p',
    transforms: { merge: { inputs: ['source'], timeout_ms: 500, ...transform } as never },
    sinks: { out: { type: 'blackhole', inputs: ['merge'] } },
  });

const lines = (out: Map<string, LogRecord[]>) => (out.get('out') ?? []).map((r) => r.line);

describe('held events: merging across batches', () => {
  it('holds an open Java trace at the end of a batch and completes it with the next batch', () => {
    const p = pipeline({ type: 'multiline', preset: 'java' });
    const held = new HeldEvents();
    const first = runPipeline(
      p,
      [rec('start'), rec('java.lang.IllegalStateException: boom'), rec('\tat A.run(A.java:1)')],
      1_000,
      undefined,
      held,
    );
    expect(lines(first)).toEqual(['start']);
    expect(held.size).toBe(1);
    // Stored and read back, as logflow keeps it between batches and across a restart.
    const restored = HeldEvents.from(JSON.parse(JSON.stringify(held.toState())) as never);
    const second = runPipeline(
      p,
      [rec('\tat A.main(A.java:2)'), rec('after'), rec('other pod', 'b')],
      1_200,
      undefined,
      restored,
    );
    expect(lines(second)).toEqual([
      'java.lang.IllegalStateException: boom\n\tat A.run(A.java:1)\n\tat A.main(A.java:2)',
      'after',
      'other pod',
    ]);
    expect(restored.size).toBe(0);
  });

  it('releases a held event once its timeout passes without the next line', () => {
    const p = pipeline({ type: 'multiline', preset: 'java' });
    const held = new HeldEvents();
    runPipeline(p, [rec('java.lang.Error: x'), rec('\tat B.f(B.java:3)')], 1_000, undefined, held);
    expect(held.nextDeadline()).toBe(1_500);
    expect(lines(runPipeline(p, [], 1_499, undefined, held))).toEqual([]);
    expect(lines(runPipeline(p, [], 1_500, undefined, held))).toEqual([
      'java.lang.Error: x\n\tat B.f(B.java:3)',
    ]);
    expect(held.nextDeadline()).toBeNull();
  });

  it('joins a CRI partial line with its end in the next batch', () => {
    const p = pipeline({ type: 'parse_cri' });
    const held = new HeldEvents();
    const t = '2024-01-01T00:00:00.000000000Z';
    const first = runPipeline(p, [rec(`${t} stdout P hello, `)], 1_000, undefined, held);
    expect(lines(first)).toEqual([]);
    const second = runPipeline(p, [rec(`${t} stdout F world`)], 1_100, undefined, held);
    expect(lines(second)).toEqual(['hello, world']);
  });

  it('lets go now of what the transforms in `release` hold, into the rest of the pipeline, which may hold it in turn', () => {
    const t = '2024-01-01T00:00:00.000000000Z';
    const p = compilePipeline({
      name: 'p',
      transforms: {
        cri: { type: 'parse_cri', inputs: ['source'], timeout_ms: 5_000 },
        ml: { type: 'multiline', preset: 'java', inputs: ['cri'], timeout_ms: 5_000 },
      },
      sinks: { out: { type: 'blackhole', inputs: ['ml'] } },
    });
    const held = new HeldEvents();
    runPipeline(
      p,
      [rec('java.lang.Error: x'), rec(`${t} stdout P \tat B.f(B.java:3)`)],
      1_000,
      undefined,
      held,
    );
    expect(held.toState()).toEqual({
      cri: expect.any(Object) as object,
      ml: expect.any(Object) as object,
    });
    // Long before either deadline: the partial line goes on and continues the held trace, which
    // stays held by a transform not being released.
    expect(lines(runPipeline(p, [], 1_001, undefined, held, new Set(['cri'])))).toEqual([]);
    expect(Object.keys(held.toState())).toEqual(['ml']);
    expect(lines(runPipeline(p, [], 1_002, undefined, held, new Set(['ml'])))).toEqual([
      'java.lang.Error: x\n\tat B.f(B.java:3)',
    ]);
    expect(held.size).toBe(0);
  });

  it('holds nothing without a place to keep it: each batch stands alone', () => {
    const p = pipeline({ type: 'multiline', preset: 'java' });
    expect(lines(runPipeline(p, [rec('java.lang.Error: x'), rec('\tat B.f(B.java:3)')]))).toEqual([
      'java.lang.Error: x\n\tat B.f(B.java:3)',
    ]);
  });
});
