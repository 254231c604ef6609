// CPU of each stage of the write path on one thread, in µs per sample, over the bench's requests
// (node-exporter-like series, one sample each, 2,000 per request), so a change to one stage is
// measured without the noise of the whole bench. Run:
//   node -r @swc-node/register tools/bench/remote-write/stages.ts [series=10000] [partitions=8]
import { xxh64 } from '@node-rs/xxhash';
import { xxh64Into } from '@strata/tsdb';
import {
  IngestMessageView,
  LabelInjection,
  compressBlock,
  decodeHttpWrite,
  decompressBlock,
  DEFAULT_VALIDATION,
  low52OfWords,
  partitionOf,
  partitionOfLow52,
  type ResolvedValidation,
} from '@strata/remote-write';
import { encodeWriteRequestV1, readRanges, splitByRanges } from '@strata/remote-write/testing';
import { PartitionHead } from '@strata/ingester';
import { type PrepareWriteInput, prepareWrite } from '@strata/router';
import { labelsFor } from './workload';

const numSeries = Number(process.argv[2] ?? 10_000);
const partitions = Number(process.argv[3] ?? 8);
const perRequest = 2_000;
const now = Date.now();
/** The bench's requests of one round: every series once, at `t`. */
function requestsAt(t: number): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < numSeries; start += perRequest)
    out.push(
      encodeWriteRequestV1({
        metadata: [],
        series: Array.from({ length: perRequest }, (_, k) => ({
          labels: labelsFor(start + k),
          timestamps: Float64Array.of(t),
          values: Float64Array.of(k % 7),
          exemplars: [],
        })),
      }),
    );
  return out;
}
const bodies = requestsAt(now);
const injection = new LabelInjection([{ name: '__tenant__', value: 'bench', override: true }]);
const options = { maxSeriesPerRequest: 100_000 };
const headers = { contentType: 'application/x-protobuf', contentEncoding: 'snappy' };
const window = { from: 0, until: Infinity };
const input = (body: Buffer): PrepareWriteInput => ({
  tenantId: 'bench',
  body,
  ...headers,
  options,
  partitions,
  maxMessageBytes: 1 << 20,
  window,
  settings: { outOfOrderWindowMs: 0 },
});

/** Runs `fn` over every request until a million samples went through, after a warm-up. */
function time(name: string, fn: (i: number) => void): number {
  const reps = Math.ceil(1_000_000 / (bodies.length * perRequest));
  for (let w = 0; w < 3; w++) for (let i = 0; i < bodies.length; i++) fn(i);
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) for (let i = 0; i < bodies.length; i++) fn(i);
  const d = process.cpuUsage(t0);
  const us = (d.user + d.system) / (reps * bodies.length * perRequest);
  console.log(`${name.padEnd(58)} ${us.toFixed(3)} µs/sample`);
  return us;
}
const perSample = (bufs: Buffer[]): string =>
  (bufs.reduce((n, b) => n + b.length, 0) / bodies.length / perRequest).toFixed(1);

const raws = bodies.map((b) => decompressBlock(b, 1 << 30));
const messages = bodies.map((b) =>
  prepareWrite(input(b), injection).messages.map((m) => Buffer.from(m.data)),
);
console.log(
  `${numSeries} series, ${partitions} partitions: request ${perSample(bodies)} B/sample snappy, ${perSample(raws)} raw; ingest messages ${perSample(messages.flat())} B/sample`,
);

console.log('router, today:');
time('  expand the request (snappy)', (i) => decompressBlock(bodies[i], 1 << 30));
time('  expand + decode + validate into series', (i) =>
  decodeHttpWrite(bodies[i], headers, options, injection),
);
const general = time('  prepareWrite: decode, split, encode, snappy', (i) =>
  prepareWrite(input(bodies[i]), injection),
);
let sink = 0;
const decoded = bodies.map((b) => decodeHttpWrite(b, headers, options, injection).batch.series);
// The two ways of hashing a block, alternated: the native call gives a BigInt, which routing
// then masks; the WebAssembly one two words, which route as a Number.
const words = new Int32Array(2);
for (let round = 0; round < 2; round++) {
  time('  of which: xxh64 of each label block (native call, routed)', (i) => {
    for (const s of decoded[i])
      sink += partitionOf(xxh64(s.buf.subarray(s.start, s.end)), partitions);
  });
  time('  of which: xxh64 of each label block (WebAssembly, routed)', (i) => {
    for (const s of decoded[i]) {
      xxh64Into(s.buf, s.start, s.end, words);
      sink += partitionOfLow52(low52OfWords(words[0], words[1]), partitions);
    }
  });
}
const bodiesOf = messages.map((ms) => ms.map((m) => decompressBlock(m.subarray(12), 1 << 30)));
time('  of which: snappy the ingest messages', (i) => bodiesOf[i].forEach((b) => compressBlock(b)));
console.log('ingester, today:');
const read = time('  read a message, visit every series and sample', (i) => {
  for (const m of messages[i])
    IngestMessageView.read(m).forEach((s) => {
      sink += s.hashKey + s.count + s.timestamp(0) + s.value(0);
    });
});
time('  of which: expand the messages', (i) =>
  messages[i].forEach((m) => decompressBlock(m.subarray(12), 1 << 30)),
);

// The head's stages: every series created (fresh heads each pass, so their garbage is counted
// too), then known series with a newer sample each pass (a lookup and an XOR append per sample).
// One round per pass of `time` (3 warm-up passes and the timed ones) and the first.
const rounds = 4 + Math.ceil(1_000_000 / (bodies.length * perRequest));
const roundMessages = Array.from({ length: rounds }, (_, r) =>
  requestsAt(now + r * 15_000).map((b) => prepareWrite(input(b), injection).messages),
);
const heads = (): PartitionHead[] =>
  Array.from({ length: partitions }, (_, p) => new PartitionHead(p));
let seq = 0;
const applyRound = (target: PartitionHead[], r: number, i: number): void => {
  for (const m of roundMessages[r][i])
    sink += target[m.partition].apply(++seq, IngestMessageView.read(m.data)).appended;
};
let fresh = heads();
time('  head: read + create every series (fresh heads each pass)', (i) => {
  if (i === 0) fresh = heads();
  applyRound(fresh, 0, i);
});
const warm = heads();
for (let i = 0; i < bodies.length; i++) applyRound(warm, 0, i);
let pass = 0;
time('  head: read + find known series + append a sample', (i) => {
  if (i === 0) pass++;
  applyRound(warm, pass, i);
});

console.log("byte-range split (prototype: the request's own series bytes per partition):");
const ro: ResolvedValidation = { ...DEFAULT_VALIDATION, ...options };
const split = raws.map((raw) => splitByRanges(raw, ro, injection, partitions, window));
const splitRouter = time('  router: expand, scan + validate + hash, copy the ranges', (i) =>
  splitByRanges(decompressBlock(bodies[i], 1 << 30), ro, injection, partitions, window),
);
// The ingester trusts what the router validated; it still builds each block to find the series.
const permissive: ResolvedValidation = {
  ...DEFAULT_VALIDATION,
  maxLabelNameLength: 1 << 30,
  maxLabelValueLength: 1 << 30,
  maxLabelsPerSeries: 1 << 30,
};
const splitIngester = time('  ingester: build each block (tenant merged) + samples', (i) => {
  for (const m of split[i])
    readRanges(m.data, permissive, injection, (_, start, end, ts, vs) => {
      sink += start + end + ts[0] + vs[0];
    });
});
const zipped = split.map((ms) => ms.map((m) => compressBlock(m.data)));
time('  snappy the messages (if they were compressed)', (i) =>
  split[i].forEach((m) => compressBlock(m.data)),
);
time('  expand them', (i) => zipped[i].forEach((m) => decompressBlock(m, 1 << 30)));
console.log(
  `  messages ${perSample(split.flat().map((m) => m.data))} B/sample raw + 8 B hash, ${perSample(zipped.flat())} snappy`,
);
console.log(
  `router + ingester: today ${(general + read).toFixed(3)}, byte ranges uncompressed ${(splitRouter + splitIngester).toFixed(3)} µs/sample${sink === 0 ? '' : ''}`,
);
