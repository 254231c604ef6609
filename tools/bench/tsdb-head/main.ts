// Head append throughput and memory per series. Run:
//   node --expose-gc -r @swc-node/register tools/bench/tsdb-head/main.ts [series] [samplesPerSeries]
// Samples are appended time-major (one scrape of every series, then the next) like real ingestion.
import { TENANT_LABEL } from '@strata/contracts';
import { Head, type Label } from '@strata/tsdb';

const numSeries = Number(process.argv[2] ?? 100_000);
const samplesPerSeries = Number(process.argv[3] ?? 120);
const maybeGc = (globalThis as { gc?: () => void }).gc;
if (!maybeGc) {
  console.error('run with --expose-gc to measure memory');
  process.exit(1);
}
const gc: () => void = maybeGc;

function memory(): { heap: number; buffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

function labelsFor(i: number): Label[] {
  // Flat strings as a protobuf decoder would produce, not cons strings.
  const flat = (s: string): string => Buffer.from(s).toString();
  return [
    { name: '__name__', value: flat(`http_requests_total_${i % 20}`) },
    { name: 'instance', value: flat(`10.0.${(i >> 8) & 255}.${i & 255}:9100`) },
    { name: 'job', value: flat(`job-${i % 10}`) },
    { name: 'pod', value: flat(`api-${i.toString(36)}-x7f2k`) },
    { name: TENANT_LABEL, value: flat(`tenant-${i % 5}`) },
  ];
}

const before = memory();
const head = new Head();
const refs = new Float64Array(numSeries);
const start = 1_700_000_000_000;
const values = new Float64Array(numSeries);

let t0 = process.hrtime.bigint();
for (let i = 0; i < numSeries; i++) {
  values[i] = i % 1000;
  refs[i] = head.append(labelsFor(i), start, values[i]);
}
const createNs = Number(process.hrtime.bigint() - t0);

t0 = process.hrtime.bigint();
let x = 12345;
for (let j = 1; j < samplesPerSeries; j++) {
  const t = start + j * 15_000;
  for (let i = 0; i < numSeries; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    values[i] += x % 7; // counter-like increments
    head.append(refs[i], t, values[i]);
  }
}
const appendNs = Number(process.hrtime.bigint() - t0);
const after = memory();

const total = numSeries * samplesPerSeries;
const byRef = numSeries * (samplesPerSeries - 1);
console.log(
  `node ${process.version}; ${numSeries} series × ${samplesPerSeries} samples = ${total} samples`,
);
console.log(`create + first sample: ${((numSeries / createNs) * 1e9).toFixed(0)} series/s`);
console.log(`append by ref:         ${((byRef / appendNs) * 1e9).toFixed(0)} samples/s`);
console.log(
  `overall:               ${((total / (createNs + appendNs)) * 1e9).toFixed(0)} samples/s`,
);
const heap = (after.heap - before.heap) / numSeries;
const buffers = (after.buffers - before.buffers) / numSeries;
console.log(
  `memory per series:     ${heap.toFixed(0)} B JS heap + ${buffers.toFixed(0)} B array buffers = ${(heap + buffers).toFixed(0)} B`,
);
console.log(
  `bytes per sample:      ${((heap + buffers) / samplesPerSeries).toFixed(2)} B (incl. labels and index)`,
);
const q = head.querier(start, start + samplesPerSeries * 15_000);
console.log(
  `active series tenant-0: ${head.activeSeries('tenant-0')}; label values of job: ${q.labelValues('job').length}`,
);
