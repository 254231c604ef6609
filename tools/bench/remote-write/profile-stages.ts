// Where a Strata process's busy CPU goes in a CPU profile of the bench, by stage of the write path,
// over the steady part (first `prepareWrite` or `decodeHttpWrite` to last head append). Run:
//   node -r @swc-node/register tools/bench/remote-write/profile-stages.ts <file> [cpuPer1M] [top]
// With the CPU s per 1M samples the bench printed for the process, shares become µs per sample;
// `top` also lists the functions with the most self time.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, cpuArg, top] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stacks = new Map<number, CallFrame[]>();
/** The frames of a sample, leaf first. */
function stackOf(id: number): CallFrame[] {
  let s = stacks.get(id);
  if (s) return s;
  s = [];
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const node = byId.get(x);
    if (node) s.push(node.callFrame);
  }
  stacks.set(id, s);
  return s;
}
const has = (s: CallFrame[], re: RegExp): boolean =>
  s.some((f) => re.test(f.url) || re.test(f.functionName));

/** The stage a sample's stack belongs to; null for idle. */
function stageOf(s: CallFrame[]): string | null {
  const leaf = s[0].functionName;
  if (leaf === '(garbage collector)') return 'garbage collection';
  if (leaf === '(idle)') return null;
  if (s.some((f) => f.url.includes('@nats-io'))) return 'NATS client';
  // The hop-less prototype's hand-over of decoded writes to its heads' worker (stop 28).
  if (s[0].url.includes('packed-write') || s[0].functionName === 'postMessage')
    return 'hand-over: pack, post, unpack';
  // The prototype decodes with `decodeHttpWrite` where the router calls `prepareWrite`.
  if (has(s, /\/libs\/router\/|prepareWrite|decodeHttpWrite/)) {
    for (const f of s) {
      if (f.url.includes('label-block-builder')) return 'router: validate labels, build blocks';
      if (/xxh64|^wasm|decoded-series/.test(f.url) || f.functionName === 'finishSeries')
        return 'router: xxh64 and series objects';
      if (/fast-decode|wire\.ts|protobufjs/.test(f.url)) return 'router: protobuf walk';
    }
    return 'router: expand, split, encode, snappy, group commit';
  }
  // The prototype's heads: V8 inlines the lookup and the append into its `apply`.
  if (s[0].url.includes('hopless/heads')) return 'heads: apply (lookup and append inlined)';
  if (has(s, /\/libs\/ingester\/|\/libs\/tsdb\/|hopless\/heads/)) {
    for (const f of s) {
      if (/chunk\/|xor/.test(f.url)) return 'ingester: append samples (XOR chunks)';
      if (/head\.ts|intern-table|head-append|known-series/.test(f.url))
        return 'ingester: find the series and create new ones';
    }
    return 'ingester: read messages, visit, head snapshots, the rest';
  }
  if (has(s, /\/libs\/gateway\/|_http_|node:http|fastify|express/))
    return 'HTTP, gateway, write handler';
  return 'other';
}

const times: number[] = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));
// The steady part: from the first decode or head append to the last one (a thread of the
// prototype may only decode, or only append).
let first = Infinity;
let last = 0;
profile.samples.forEach((id, i) => {
  const s = stackOf(id);
  const decodes = s.some((f) => /^(prepareWrite|decodeHttpWrite)$/.test(f.functionName));
  const appends = s.some((f) => f.url.includes('/head/') && /append/i.test(f.functionName));
  if (decodes || appends) {
    first = Math.min(first, times[i]);
    last = Math.max(last, times[i]);
  }
});
const byStage = new Map<string, number>();
const selfTime = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  if (times[i] < first || times[i] > last) return;
  // A sample's time is the gap to the next one.
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const s = stackOf(id);
  const stage = stageOf(s);
  if (stage === null) return;
  busy += dt;
  byStage.set(stage, (byStage.get(stage) ?? 0) + dt);
  const where = `${s[0].functionName} ${s[0].url.replace(/.*\/(libs|node_modules)\//, '')}:${s[0].lineNumber}`;
  selfTime.set(where, (selfTime.get(where) ?? 0) + dt);
});
const cpuPer1M = Number(cpuArg ?? 0);
console.log(
  `steady part ${((last - first) / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s`,
);
for (const [stage, v] of [...byStage].sort((a, b) => b[1] - a[1])) {
  const perSample = cpuPer1M > 0 ? `  ${((cpuPer1M * v) / busy).toFixed(2)} µs/sample` : '';
  console.log(`${stage.padEnd(58)} ${((100 * v) / busy).toFixed(1)}%${perSample}`);
}
if (top)
  for (const [where, v] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`  ${((100 * v) / busy).toFixed(1)}% ${where}`);
