import { connectBus, type KvBucket, type NatsBus } from '@strata/bus';
import { type LogHeldState, logHeldKey, logCounterKey } from '@strata/contracts';
import { HeldEvents, type LogMetricSample } from '@strata/logpipeline';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { PipelineStateConflictError, PipelineStateLedger } from './pipeline-state-ledger';

const trace = 'java.lang.Error: x\n\tat B.f(B.java:3)';

/** What a multiline transform holds after a batch that ends in an open trace. */
const holding = (): HeldEvents =>
  HeldEvents.from({
    ml: {
      '{"pod":"a"}': {
        record: { timestampNs: '1', line: trace, labels: { pod: 'a' }, fields: {} },
        state: 'java_frames',
        lines: 2,
        deadlineMs: 1_500,
      },
    },
  });

const lines = (n: number): LogMetricSample[] => [{ name: 'lines_total', labels: [], value: n }];
const total = (ledger: PipelineStateLedger) => ledger.counts.snapshot()[0]?.value ?? 0;

describe('PipelineStateLedger: counts and held events in one compare-and-set', () => {
  let bus: NatsBus;
  let kv: KvBucket;

  beforeAll(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'ledger',
    });
    kv = await bus.openKv(uniqueName('logflow-state'));
  });

  afterAll(async () => {
    await bus?.drain();
  });

  /** A process starting on what KV holds now. */
  const open = async (pipeline: string) => {
    const ledger = new PipelineStateLedger(kv, 't1', pipeline, () => Promise.resolve(0));
    await ledger.load();
    return ledger;
  };

  it('counts a trace sent on at its timeout once, whether the process dies before or after storing the flush', async () => {
    const first = await open('flush');
    // A batch of 3 counted lines leaves the trace held.
    await first.commit(7, lines(3), holding());
    expect(total(first)).toBe(3);

    // The flush sends the trace on (1 counted line) and the process dies before its write.
    const flushed = first.working();
    flushed.retain(new Set());
    const afterCrash = await open('flush');
    expect(total(afterCrash)).toBe(3);
    expect(afterCrash.nextDeadline()).toBe(1_500);
    expect(afterCrash.done(7)).toBe(true);

    // The restarted process flushes again; its write is the one that counts.
    const again = afterCrash.working();
    again.retain(new Set());
    await afterCrash.commit(null, lines(1), again);
    expect(total(afterCrash)).toBe(4);

    // Dying right after that write: nothing is held, so nothing is sent or counted again.
    const later = await open('flush');
    expect(total(later)).toBe(4);
    expect(later.nextDeadline()).toBeNull();
  });

  it('refuses a flush computed from a state another writer changed, and takes that writer’s state', async () => {
    const a = await open('race');
    await a.commit(3, lines(2), holding());
    const b = await open('race');
    const fromB = b.working();
    fromB.retain(new Set());
    await b.commit(null, lines(1), fromB);

    const fromA = a.working();
    fromA.retain(new Set());
    await expect(a.commit(null, lines(1), fromA)).rejects.toBeInstanceOf(
      PipelineStateConflictError,
    );
    // The trace was counted once, by b; a now sees it is no longer held.
    expect(total(a)).toBe(3);
    expect(a.nextDeadline()).toBeNull();
    expect(total(await open('race'))).toBe(3);
  });

  it('counts a redelivered batch once and reads held events an older build stored apart', async () => {
    const legacy: LogHeldState = { seq: 5, held: holding().toState() };
    await kv.put(logHeldKey('t1', 'legacy'), legacy);
    const ledger = await open('legacy');
    expect(ledger.done(5)).toBe(true);
    expect(ledger.nextDeadline()).toBe(1_500);

    await ledger.commit(6, lines(2), ledger.working());
    await ledger.commit(6, lines(2), ledger.working());
    expect(total(ledger)).toBe(2);
    // Once the joined state is written, the separate key is gone and the joined one holds the trace.
    expect(await kv.get(logHeldKey('t1', 'legacy'))).toBeNull();
    const reread = await open('legacy');
    expect(reread.done(6)).toBe(true);
    expect(reread.nextDeadline()).toBe(1_500);
    expect(total(reread)).toBe(2);

    await reread.forget();
    expect(await kv.get(logCounterKey('t1', 'legacy'))).toBeNull();
  });
});
