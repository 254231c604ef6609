// Ingester apply throughput: ingest messages of known series applied to a partition's head, as
// the ingester does once every series exists (the steady state of a scrape-driven write path). Run:
//   node -r @swc-node/register tools/bench/ingester-apply/main.ts [series=10000] [rounds=200] [seriesPerMessage=250]
import { TENANT_LABEL } from '@strata/contracts';
import { PartitionHead } from '@strata/ingester';
import { IngestMessageView, encodeIngestMessage } from '@strata/remote-write';
import { type Label } from '@strata/tsdb';

const [numSeries, rounds, perMessage] = [10_000, 200, 250].map((d, i) =>
  Number(process.argv[2 + i] ?? d),
);

/** The remote-write bench's node-exporter-like series, with the tenant label the router adds. */
function labelsFor(i: number): Label[] {
  return [
    { name: '__name__', value: `node_cpu_seconds_total_${i % 50}` },
    { name: 'cpu', value: String(i % 16) },
    { name: 'instance', value: `10.1.${(i >> 8) & 255}.${i & 255}:9100` },
    { name: 'job', value: 'node' },
    { name: 'mode', value: ['idle', 'user', 'system', 'iowait'][i % 4] },
    { name: TENANT_LABEL, value: 'bench' },
  ];
}

const labels = Array.from({ length: numSeries }, (_, i) => labelsFor(i));
const t0 = Date.now() - rounds * 15_000;
function messages(round: number): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < numSeries; start += perMessage) {
    const series = labels.slice(start, start + perMessage).map((l, k) => ({
      labels: l,
      timestamps: new Float64Array([t0 + round * 15_000]),
      values: new Float64Array([round * 10 + ((start + k) % 7)]),
      exemplars: [],
    }));
    out.push(encodeIngestMessage('bench', series));
  }
  return out;
}

const head = new PartitionHead(0);
let seq = 0;
// The first round creates every series; only known series are timed.
for (const m of messages(0)) head.apply(++seq, IngestMessageView.read(m));
const wire = Array.from({ length: rounds }, (_, r) => messages(r + 1));
const cpu0 = process.cpuUsage();
const started = process.hrtime.bigint();
let appended = 0;
for (const round of wire)
  for (const m of round) appended += head.apply(++seq, IngestMessageView.read(m)).appended;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(
  `${numSeries} known series, ${rounds} rounds, ${perMessage} series per message: ${appended} samples`,
);
console.log(
  `apply (verify, expand, find series, append): ${((seconds / appended) * 1e6).toFixed(3)} µs/sample wall, ${(((cpu.user + cpu.system) / 1e6 / appended) * 1e6).toFixed(3)} µs/sample CPU, ${(appended / seconds / 1e6).toFixed(2)} M samples/s`,
);
