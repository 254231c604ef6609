import { STALE_NAN } from '@strata/contracts';
import { Labels, type Queryable, MemoryQueryable } from '@strata/promql';
import { type QueryFunc, type RuleSample } from '../query/query-func';
import { type RuleGroup } from '../rule-file/model';
import { type Alert } from '../alerting/alert-state';
import { GroupEvaluator } from './group-evaluator';
import { type OutputSample } from './sink';

const M = 60_000;
const T0 = 1_700_000_000_000;

/** A query function answering from a script: expression -> samples at each time, recording the times asked. */
function scripted(
  answer: (expr: string, t: number) => Array<[Record<string, string>, number]>,
): QueryFunc & { asked: number[] } {
  const asked: number[] = [];
  const f = async (expr: string, t: number): Promise<RuleSample[]> => {
    asked.push(t);
    return answer(expr, t).map(([l, v]) => ({ labels: Labels.fromRecord(l), value: v }));
  };
  return Object.assign(f, { asked });
}

function collectingSink(): {
  samples: OutputSample[];
  append(s: readonly OutputSample[]): Promise<void>;
} {
  const samples: OutputSample[] = [];
  return { samples, append: async (s) => void samples.push(...s) };
}

function group(rules: RuleGroup['rules'], extra: Partial<RuleGroup> = {}): RuleGroup {
  return { name: 'g', limit: 0, rules, ...extra };
}

const show = (s: OutputSample): string =>
  `${s.labels.toString()} ${s.stale ? 'stale' : s.value} @${(s.t - T0) / M}m`;

describe('GroupEvaluator', () => {
  it('queries and writes at the evaluation time minus query_offset, staleness markers included', async () => {
    const query = scripted((_e, t) => (t < T0 + 2 * M ? [[{ job: 'a' }, 1]] : []));
    const sink = collectingSink();
    const g = new GroupEvaluator(
      group([{ kind: 'recording', record: 'r', expr: 'x', labels: {} }], { queryOffsetMs: M }),
      {
        file: 'f',
        query,
        sink,
      },
    );
    for (const m of [1, 2, 3, 4]) await g.eval(T0 + m * M);
    expect(query.asked.map((t) => (t - T0) / M)).toEqual([0, 1, 2, 3]);
    expect(sink.samples.map(show)).toEqual([
      'r{job="a"} 1 @0m',
      'r{job="a"} 1 @1m',
      'r{job="a"} stale @2m',
    ]);
    expect(Object.is(sink.samples[2].value, STALE_NAN) || Number.isNaN(sink.samples[2].value)).toBe(
      true,
    );
  });

  it('fails a recording rule over its group limit and writes nothing for it', async () => {
    const sink = collectingSink();
    const g = new GroupEvaluator(
      group([{ kind: 'recording', record: 'r', expr: 'x', labels: {} }], { limit: 1 }),
      {
        file: 'f',
        query: scripted(() => [
          [{ i: '1' }, 1],
          [{ i: '2' }, 2],
        ]),
        sink,
      },
    );
    await g.eval(T0);
    expect(g.rules[0].status).toMatchObject({
      health: 'err',
      lastError: 'exceeded limit of 1 with 2 series',
    });
    expect(sink.samples).toEqual([]);
  });

  it('drops every alert of a rule over the limit', async () => {
    let n = 1;
    const g = new GroupEvaluator(
      group(
        [
          {
            kind: 'alerting',
            alert: 'A',
            expr: 'x',
            forMs: 0,
            keepFiringForMs: 0,
            labels: {},
            annotations: {},
          },
        ],
        { limit: 1 },
      ),
      {
        file: 'f',
        query: scripted(() =>
          Array.from(
            { length: n },
            (_, i) => [{ i: String(i) }, 1] as [Record<string, string>, number],
          ),
        ),
        sink: collectingSink(),
      },
    );
    await g.eval(T0);
    expect(g.rules[0].kind === 'alerting' && g.rules[0].activeAlerts().length).toBe(1);
    n = 2;
    await g.eval(T0 + M);
    expect(g.rules[0].status.lastError).toBe('exceeded limit of 1 with 2 alerts');
    expect(g.rules[0].kind === 'alerting' && g.rules[0].activeAlerts().length).toBe(0);
  });

  it('refuses a recording rule whose labels make two results the same series', async () => {
    const g = new GroupEvaluator(
      group([{ kind: 'recording', record: 'r', expr: 'x', labels: { job: 'same' } }]),
      {
        file: 'f',
        query: scripted(() => [
          [{ job: 'a' }, 1],
          [{ job: 'b' }, 2],
        ]),
        sink: collectingSink(),
      },
    );
    await g.eval(T0);
    expect(g.rules[0].status.lastError).toBe(
      'vector contains metrics with the same labelset after applying rule labels',
    );
  });

  it('keeps the series of a failed write, so they still get staleness markers later', async () => {
    let fail = false;
    let present = true;
    const written: OutputSample[] = [];
    const g = new GroupEvaluator(
      group([{ kind: 'recording', record: 'r', expr: 'x', labels: {} }]),
      {
        file: 'f',
        query: scripted(() => (present ? [[{ job: 'a' }, 1]] : [])),
        sink: {
          append: async (s) => {
            if (fail) throw new Error('store unavailable');
            written.push(...s);
          },
        },
      },
    );
    await g.eval(T0);
    fail = true;
    present = false;
    await g.eval(T0 + M);
    expect(g.rules[0].status).toMatchObject({ health: 'err', lastError: 'store unavailable' });
    fail = false;
    await g.eval(T0 + 2 * M);
    expect(g.rules[0].status.health).toBe('ok');
    expect(written.map(show)).toEqual(['r{job="a"} 1 @0m', 'r{job="a"} stale @2m']);
  });

  it('sends firing alerts every resend delay, a resolution at once, and the resolution until 15m after', async () => {
    let firing = true;
    const sent: Array<[number, string]> = [];
    const g = new GroupEvaluator(
      group([
        {
          kind: 'alerting',
          alert: 'A',
          expr: 'x',
          forMs: 0,
          keepFiringForMs: 0,
          labels: {},
          annotations: {},
        },
      ]),
      {
        file: 'f',
        query: scripted(() => (firing ? [[{ job: 'a' }, 1]] : [])),
        sink: collectingSink(),
        resendDelayMs: 2 * M,
        notify: (_expr, alerts: Alert[]) =>
          alerts.forEach((a) => sent.push([(a.lastSentAt! - T0) / M, a.state])),
      },
    );
    for (let m = 0; m <= 4; m++) await g.eval(T0 + m * M);
    firing = false;
    for (let m = 5; m <= 22; m++) await g.eval(T0 + m * M);
    expect(sent).toEqual([
      [0, 'firing'],
      [3, 'firing'],
      [5, 'inactive'],
      [8, 'inactive'],
      [11, 'inactive'],
      [14, 'inactive'],
      [17, 'inactive'],
      [20, 'inactive'],
    ]);
    expect(g.rules[0].kind === 'alerting' && g.rules[0].active.size).toBe(0);
  });
});

describe('restoring for state after a restart', () => {
  const alertRule = (forMs: number): RuleGroup =>
    group([
      {
        kind: 'alerting',
        alert: 'Slow',
        expr: 'x',
        forMs,
        keepFiringForMs: 0,
        labels: { severity: 'page' },
        annotations: {},
      },
    ]);

  /** Storage holding the ALERTS_FOR_STATE series a previous ruler wrote until `downAt`, active since `activeAt`. */
  function previousRun(activeAt: number, downAt: number): Queryable {
    const store = new MemoryQueryable();
    const labels = Labels.fromRecord({
      __name__: 'ALERTS_FOR_STATE',
      alertname: 'Slow',
      severity: 'page',
      job: 'a',
    });
    for (let t = activeAt; t <= downAt; t += M) store.append(labels, t, activeAt / 1000);
    return store;
  }

  async function restartAt(
    restart: number,
    forMs: number,
    store: Queryable,
  ): Promise<{ g: GroupEvaluator; sink: ReturnType<typeof collectingSink> }> {
    const sink = collectingSink();
    const g = new GroupEvaluator(alertRule(forMs), {
      file: 'f',
      query: scripted(() => [[{ job: 'a' }, 1]]),
      sink,
      shouldRestore: true,
    });
    await g.eval(restart);
    await g.eval(restart + M);
    await g.restoreForState(restart + M, store);
    return { g, sink };
  }

  const activeAt = (g: GroupEvaluator): number =>
    g.rules[0].kind === 'alerting' ? g.rules[0].activeAlerts()[0].activeAt : NaN;

  it('writes no ALERTS before restoring, and does not count the downtime towards for', async () => {
    const { g, sink } = await restartAt(T0 + 30 * M, 60 * M, previousRun(T0, T0 + 20 * M));
    expect(sink.samples).toEqual([]);
    // 20 of 60 minutes were spent pending; after 11 minutes down, 40 remain from the restore time.
    expect(activeAt(g)).toBe(T0 + 11 * M);
    await g.eval(T0 + 32 * M);
    expect(sink.samples.map((s) => s.labels.get('alertstate') || s.value)).toEqual([
      'pending',
      (T0 + 11 * M) / 1000,
    ]);
  });

  it('gives an alert that was about to fire at least the grace period', async () => {
    const { g } = await restartAt(T0 + 60 * M, 30 * M, previousRun(T0, T0 + 25 * M));
    // 5 minutes were left, less than the 10m grace period: it fires 10m after the restore.
    expect(activeAt(g)).toBe(T0 + 61 * M + 10 * M - 30 * M);
  });

  it('keeps the original activeAt of an alert that was already firing', async () => {
    const { g } = await restartAt(T0 + 50 * M, 15 * M, previousRun(T0, T0 + 40 * M));
    expect(activeAt(g)).toBe(T0);
  });

  it('restores nothing from beyond the outage tolerance or for rules shorter than the grace period', async () => {
    const long = await restartAt(T0 + 200 * M, 60 * M, previousRun(T0, T0 + 20 * M));
    expect(activeAt(long.g)).toBe(T0 + 200 * M);
    const short = await restartAt(T0 + 30 * M, 5 * M, previousRun(T0, T0 + 20 * M));
    expect(activeAt(short.g)).toBe(T0 + 30 * M);
    expect(short.g.rules[0].kind === 'alerting' && short.g.rules[0].restored).toBe(true);
  });
});

describe('carrying state over to a changed group', () => {
  const alert = (labels: Record<string, string> = {}): RuleGroup['rules'][number] => ({
    kind: 'alerting',
    alert: 'Slow',
    expr: 'x',
    forMs: 5 * M,
    keepFiringForMs: 0,
    labels,
    annotations: {},
  });
  const record = (name: string, expr: string): RuleGroup['rules'][number] => ({
    kind: 'recording',
    record: name,
    expr,
    labels: {},
  });
  const query = scripted((expr) => (expr === 'x' || expr === 'y' ? [[{ job: 'a' }, 1]] : []));
  const evaluator = (rules: RuleGroup['rules'], sink = collectingSink()) =>
    new GroupEvaluator(group(rules), { file: 'f', query, sink });
  const alertOf = (g: GroupEvaluator) =>
    g.rules.flatMap((r) => (r.kind === 'alerting' ? r.activeAlerts() : []));

  it('keeps a firing alert firing with its activeAt when another rule of the group changes', async () => {
    const before = evaluator([record('r', 'x'), alert()]);
    for (let m = 0; m <= 6; m++) await before.eval(T0 + m * M);
    expect(alertOf(before).map((a) => [a.state, a.activeAt])).toEqual([['firing', T0]]);
    const sink = collectingSink();
    const after = evaluator([record('r', 'y'), alert()], sink);
    after.copyState(before);
    expect(after.lastEvaluation).toBe(before.lastEvaluation);
    await after.eval(T0 + 7 * M);
    expect(alertOf(after).map((a) => [a.state, a.activeAt])).toEqual([['firing', T0]]);
    expect(sink.samples.map(show)).toContain(
      'ALERTS{alertname="Slow", alertstate="firing", job="a"} 1 @7m',
    );
  });

  it('starts an alerting rule whose labels changed afresh, as a different rule', async () => {
    const before = evaluator([alert({ severity: 'page' })]);
    for (let m = 0; m <= 6; m++) await before.eval(T0 + m * M);
    const after = evaluator([alert({ severity: 'ticket' })]);
    after.copyState(before);
    await after.eval(T0 + 7 * M);
    expect(alertOf(after).map((a) => [a.state, a.activeAt])).toEqual([['pending', T0 + 7 * M]]);
  });

  it("marks a removed rule's series stale after the next evaluation, and a kept rule's when they go", async () => {
    const before = evaluator([record('kept', 'x'), record('removed', 'x')]);
    await before.eval(T0);
    const sink = collectingSink();
    const after = evaluator([record('kept', 'nothing')], sink);
    after.copyState(before);
    await after.eval(T0 + M);
    await after.eval(T0 + 2 * M);
    expect(sink.samples.map(show)).toEqual([
      'kept{job="a"} stale @1m',
      'removed{job="a"} stale @1m',
    ]);
  });

  it('marks every series of a deleted group stale', async () => {
    const sink = collectingSink();
    const g = evaluator([record('r', 'x'), alert()], sink);
    await g.eval(T0);
    sink.samples.length = 0;
    await g.markStale(T0 + 2 * M);
    expect(sink.samples.map(show)).toEqual([
      'r{job="a"} stale @2m',
      'ALERTS{alertname="Slow", alertstate="pending", job="a"} stale @2m',
      'ALERTS_FOR_STATE{alertname="Slow", job="a"} stale @2m',
    ]);
  });
});
