// Throughput of the metrics write path codecs: remote write 1.0/2.0 decode+validate and encode
// (snappy included) and the ingest stream codec. Run:
//   node -r @swc-node/register tools/bench/remote-write-codec/main.ts [series] [samplesPerSeries]
import { TENANT_LABEL } from '@strata/contracts';
import {
  LabelInjection,
  type WriteBatch,
  decodeIngestMessage,
  decodeWriteRequest,
  encodeIngestMessage,
  seriesHash,
  writeStats,
} from '@strata/remote-write';
import {
  encodeWriteRequestV1,
  encodeWriteRequestV2,
  generateBatch,
  marshalWriteRequestV1,
  marshalWriteRequestV2,
} from '@strata/remote-write/testing';

const series = Number(process.argv[2] ?? 2000);
const samplesPerSeries = Number(process.argv[3] ?? 1);
const minMs = 1500;

function bench(
  name: string,
  rawBytes: number,
  samples: number,
  fn: () => unknown,
  unit = 'samples',
): void {
  // Time-based warm-up so the optimizing compiler has settled before measuring.
  const warm = Date.now();
  while (Date.now() - warm < 500) fn();
  let iters = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < 10; i++) fn();
    iters += 10;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU time (incl. GC threads) is reported too: on a shared machine wall time mostly measures the neighbours.
  const cpuMs = (cpu.user + cpu.system) / 1000 / iters;
  const perSec = iters / (elapsedMs / 1000);
  const mbps = (rawBytes * perSec) / 1e6;
  console.log(
    `${name.padEnd(34)} ${(elapsedMs / iters).toFixed(3).padStart(8)} ms/op ${cpuMs.toFixed(3).padStart(8)} cpu-ms/op  ${rawBytes ? mbps.toFixed(1).padStart(8) + ' MB/s' : ' '.repeat(13)}  ${((samples * perSec) / 1e6).toFixed(2).padStart(7)} M ${unit}/s`,
  );
}

const batch: WriteBatch = generateBatch({ series, samplesPerSeries, exemplarEvery: 50, seed: 1 });
const samples = writeStats(batch).samples;
const raw1 = marshalWriteRequestV1(batch).length;
const raw2 = marshalWriteRequestV2(batch).length;
const body1 = encodeWriteRequestV1(batch);
const body2 = encodeWriteRequestV2(batch);
// What the router does: decode with the tenant's labels injected into each label block (hashed
// there), then encode the decoded series, blocks and hashes as they are, into an ingest message.
const injection = new LabelInjection([{ name: TENANT_LABEL, value: 'tenant-1', override: true }]);
const decoded = decodeWriteRequest(body1, 'v1', {}, injection).series;
const ingest = encodeIngestMessage('tenant-1', decoded);

console.log(
  `node ${process.version}; ${series} series × ${samplesPerSeries} samples = ${samples} samples per request`,
);
console.log(
  `v1 ${raw1} B raw / ${body1.length} B snappy; v2 ${raw2} B raw / ${body2.length} B snappy; ingest msg ${ingest.length} B`,
);
console.log('MB/s counts uncompressed protobuf bytes (remote write) or message bytes (ingest)');
bench('remote write v1 decode+validate', raw1, samples, () => decodeWriteRequest(body1, 'v1'));
bench('remote write v2 decode+validate', raw2, samples, () => decodeWriteRequest(body2, 'v2'));
bench('remote write v1 decode, tenant injected', raw1, samples, () =>
  decodeWriteRequest(body1, 'v1', {}, injection),
);
bench('remote write v1 encode', raw1, samples, () => encodeWriteRequestV1(batch));
bench('remote write v2 encode', raw2, samples, () => encodeWriteRequestV2(batch));
bench(
  'seriesHash (xxhash64 of labels)',
  0,
  batch.series.length,
  () => batch.series.forEach((s) => seriesHash(s.labels)),
  'series',
);
bench('ingest message encode (decoded)', ingest.length, samples, () =>
  encodeIngestMessage('tenant-1', decoded),
);
bench('ingest message decode', ingest.length, samples, () => decodeIngestMessage(ingest));
