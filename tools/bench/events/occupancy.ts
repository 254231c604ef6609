// Where the events consumer's time goes, from a trace written by
// `STRATA_BENCH_TRACE=<file> node -r @swc-node/register tools/bench/events/main.ts …`:
// per run of the bench (separated by 150 ms with no batch in hand, or by subject), the steps of each batch
// (queued in the stream, evaluation, waiting for an archive lane, the transaction's COPY, counts
// upsert and commit, the rest up to the ack), how busy the lanes and the event loop were, the
// gaps with no batch in hand, and a timeline in 100 ms steps.
// Run:
//   node -r @swc-node/register tools/bench/events/occupancy.ts <file> [timeline=1]
import { readFileSync } from 'node:fs';

interface Mark {
  t: number;
  ev: string;
  batch?: string;
  subject?: string;
  group?: number;
  batches?: string[];
  what?: string;
  storedAgo?: number;
  rows?: number;
  items?: number;
  elu?: number;
  rss?: number;
}

const [FILE, TIMELINE] = [process.argv[2], process.argv[3] !== '0'];
const marks = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Mark);

interface Batch {
  id: string;
  deliver: number;
  subject: string;
  storedAgo: number;
  decide?: number;
  decided?: number;
  rows?: number;
  group?: number;
  acked?: number;
}
interface Group {
  id: number;
  start: number;
  end?: number;
  batches: string[];
  tx?: number;
  began?: number;
  copied?: number;
  counted?: number;
  worked?: number;
  done?: number;
}

const batches = new Map<string, Batch>();
const groups = new Map<number, Group>();
const elu: Array<{ t: number; elu: number; rss: number }> = [];
for (const m of marks) {
  const b = m.batch === undefined ? undefined : batches.get(m.batch);
  const g = m.group === undefined ? undefined : groups.get(m.group);
  switch (m.ev) {
    case 'deliver':
      // A redelivery keeps its first delivery's steps; the bench has none.
      if (!b && m.batch)
        batches.set(m.batch, {
          id: m.batch,
          deliver: m.t,
          subject: m.subject ?? '',
          storedAgo: m.storedAgo ?? 0,
        });
      break;
    case 'decide':
      if (b) b.decide = m.t;
      break;
    case 'decided':
      if (b) [b.decided, b.rows] = [m.t, m.rows];
      break;
    case 'acked':
      if (b) b.acked = m.t;
      break;
    case 'group':
      groups.set(m.group as number, {
        id: m.group as number,
        start: m.t,
        batches: m.batches ?? [],
      });
      for (const id of m.batches ?? []) {
        const gb = batches.get(id);
        if (gb) gb.group = m.group;
      }
      break;
    case 'grouped':
      if (g) g.end = m.t;
      break;
    case 'tx':
      if (g && g.tx === undefined) g.tx = m.t;
      break;
    case 'tx.began':
      if (g && g.began === undefined) g.began = m.t;
      break;
    case 'query':
      if (g && m.what?.startsWith('INSERT INTO event_counts')) g.copied = m.t;
      break;
    case 'queried':
      if (g && m.what?.startsWith('INSERT INTO event_counts')) g.counted = m.t;
      break;
    case 'tx.worked':
      if (g && g.worked === undefined) g.worked = m.t;
      break;
    case 'tx.done':
      if (g && g.done === undefined) g.done = m.t;
      break;
    case 'elu':
      elu.push({ t: m.t, elu: m.elu ?? 0, rss: m.rss ?? NaN });
      break;
  }
}

function stats(xs: number[]): string {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(1)}, p50 ${at(0.5).toFixed(1)}, p95 ${at(0.95).toFixed(1)}, max ${s[s.length - 1].toFixed(1)}`;
}

/** Milliseconds of [from, to) during which `intervals` overlap by exactly k, for each k. */
function overlapShares(intervals: Array<[number, number]>, from: number, to: number): number[] {
  const edges: Array<[number, number]> = [];
  for (const [a, b] of intervals) edges.push([Math.max(a, from), 1], [Math.min(b, to), -1]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: number[] = [];
  let [level, last] = [0, from];
  for (const [t, d] of edges) {
    out[level] = (out[level] ?? 0) + Math.max(0, t - last);
    [level, last] = [level + d, t];
  }
  out[level] = (out[level] ?? 0) + Math.max(0, to - last);
  return Array.from(out, (x) => x ?? 0);
}

const all = [...batches.values()]
  .filter((b) => b.acked !== undefined)
  .sort((a, b) => a.deliver - b.deliver);
// The bench's runs follow each other at once: a run ends when no batch was in hand for 150 ms,
// or at a change of subject (audit to Kubernetes events).
const runs: Batch[][] = [];
let lastAck = -Infinity;
for (const b of all) {
  const run = runs[runs.length - 1];
  if (run && b.deliver - lastAck < 150 && b.subject === run[0].subject) run.push(b);
  else runs.push([b]);
  lastAck = Math.max(lastAck, b.acked as number);
}

for (const [r, run] of runs.entries()) {
  const from = run[0].deliver;
  const to = Math.max(...run.map((b) => b.acked as number));
  const span = to - from;
  const items = run.length;
  const gs = [...new Set(run.map((b) => b.group).filter((g) => g !== undefined))].map(
    (g) => groups.get(g as number) as Group,
  );
  console.log(
    `run ${r + 1}, ${run[0].subject}: ${items} batches in ${span.toFixed(0)} ms (first delivery to last ack), ${gs.length} archive transactions (${(run.filter((b) => b.group !== undefined).length / Math.max(1, gs.length)).toFixed(2)} batches each)`,
  );
  const rel = (pick: (b: Batch) => number | undefined) =>
    run.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
  console.log(`  stored → handler        ${stats(rel((b) => b.storedAgo))}`);
  console.log(`  handler → evaluate      ${stats(rel((b) => (b.decide ?? NaN) - b.deliver))}`);
  console.log(
    `  evaluate                ${stats(rel((b) => (b.decided ?? NaN) - (b.decide ?? NaN)))}`,
  );
  const groupOf = (b: Batch) => (b.group === undefined ? undefined : groups.get(b.group));
  console.log(
    `  wait for an archive lane ${stats(rel((b) => (groupOf(b)?.start ?? NaN) - (b.decided ?? NaN)))}`,
  );
  console.log(
    `  connect + BEGIN         ${stats(gs.map((g) => (g.began ?? NaN) - g.start).filter(Number.isFinite))}`,
  );
  console.log(
    `  COPY                    ${stats(gs.map((g) => (g.copied ?? NaN) - (g.began ?? NaN)).filter(Number.isFinite))}`,
  );
  console.log(
    `  counts upsert           ${stats(gs.map((g) => (g.counted ?? NaN) - (g.copied ?? NaN)).filter(Number.isFinite))}`,
  );
  console.log(
    `  COMMIT + release        ${stats(gs.map((g) => (g.done ?? NaN) - (g.worked ?? NaN)).filter(Number.isFinite))}`,
  );
  console.log(
    `  transaction, whole      ${stats(gs.map((g) => (g.end ?? NaN) - g.start).filter(Number.isFinite))}`,
  );
  console.log(
    `  written → acked         ${stats(rel((b) => (b.acked as number) - (groupOf(b)?.end ?? NaN)))}`,
  );
  console.log(`  delivery → ack, whole   ${stats(rel((b) => (b.acked as number) - b.deliver))}`);
  const lanes = overlapShares(
    gs.filter((g) => g.end !== undefined).map((g) => [g.start, g.end as number]),
    from,
    to,
  );
  console.log(
    `  archive lanes busy      ${lanes.map((ms, k) => `${k}: ${((100 * ms) / span).toFixed(0)}%`).join(', ')}`,
  );
  const handlers = overlapShares(
    run.map((b) => [b.deliver, b.acked as number]),
    from,
    to,
  );
  console.log(
    `  batches in hand         ${handlers.map((ms, k) => `${k}: ${((100 * ms) / span).toFixed(0)}%`).join(', ')}`,
  );
  const evaluating = overlapShares(
    run
      .filter((b) => b.decided !== undefined)
      .map((b) => [b.decide as number, b.decided as number]),
    from,
    to,
  );
  console.log(
    `  evaluating (any)        ${((100 * (span - (evaluating[0] ?? 0))) / span).toFixed(0)}% of the time`,
  );
  const loop = elu.filter((e) => e.t > from && e.t <= to).map((e) => e.elu);
  console.log(`  event loop utilization  ${stats(loop.map((x) => 100 * x))} (% per 50 ms)`);
  const rss = elu.filter((e) => e.t > from && e.t <= to).map((e) => e.rss);
  console.log(`  resident set, MiB       ${stats(rss)}`);
  if (!TIMELINE) continue;
  console.log('  timeline (100 ms): delivered acked | batches in hand | lanes busy | ELU%');
  for (let t = from; t < to; t += 100) {
    const end = t + 100;
    const delivered = run.filter((b) => b.deliver >= t && b.deliver < end).length;
    const acked = run.filter((b) => (b.acked as number) >= t && (b.acked as number) < end).length;
    const inHand = overlapShares(
      run.map((b) => [b.deliver, b.acked as number]),
      t,
      end,
    ).reduce((s, ms, k) => s + ms * k, 0);
    const busy = overlapShares(
      gs.filter((g) => g.end !== undefined).map((g) => [g.start, g.end as number]),
      t,
      end,
    ).reduce((s, ms, k) => s + ms * k, 0);
    const e = elu.filter((x) => x.t > t && x.t <= end).map((x) => x.elu);
    const eluMean = e.length ? (100 * e.reduce((a, b) => a + b, 0)) / e.length : NaN;
    console.log(
      `  ${(t - from).toFixed(0).padStart(5)} ${String(delivered).padStart(3)} ${String(acked).padStart(3)} | ${(inHand / 100).toFixed(1).padStart(5)} | ${(busy / 100).toFixed(2)} | ${eluMean.toFixed(0)}`,
    );
  }
}
