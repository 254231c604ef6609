// Range-query latency over HTTP of the platform as `npm start` runs it (gateway, router, ingesters,
// store gateway and query service, one process unless STRATA_ROUTER_PROCESS=separate; nats-server
// beside it) against Debian's
// Prometheus 2.42, on the same remote-written data, alternating one request to each. Run:
//   node -r @swc-node/register tools/bench/promql/platform.ts [runs=5] [seriesPerMetric=1000] [metrics=10]
// STRATA_BENCH_PROFILE=<dir> writes a CPU profile of the Strata process there (strata-<pid>.cpuprofile).
// STRATA_BENCH_ONLY=<name,...> times only the named shapes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus } from '@strata/bus';
import { NATS_DEV_ADMIN, startNatsServer } from '@strata/devstack';
import { type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { REMOTE_WRITE_V1_HEADERS, encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';
import { startPrometheus } from '../../promql-diff/src/prometheus-server';
import {
  benchFamilies,
  compareShapes,
  cpuMs,
  serveTenant,
  startBenchStrata,
  treeCpuMs,
} from './strata-vs-prometheus';

const runs = Number(process.argv[2] ?? 5);
const perMetric = Number(process.argv[3] ?? 1000);
const metrics = Number(process.argv[4] ?? 10);
const STEP_MS = 15_000;
const POINTS = 241; // 1 h at 15 s
// An hour that ended a minute ago, on the step grid, inside the heads' window.
const END = Math.floor((Date.now() - 60_000) / STEP_MS) * STEP_MS;
const T0 = END - (POINTS - 1) * STEP_MS;

const families = () => benchFamilies(perMetric, metrics);

/** Remote-write batches of 20 samples per series, 1,000 series each, oldest first. */
function* batches(): Generator<WriteBatch> {
  const all = families().flatMap((f) =>
    f.labels.map((l, s) => ({ labels: labelsFrom(l), value: (i: number) => f.value(s, i) })),
  );
  for (let from = 0; from < POINTS; from += 20) {
    const n = Math.min(POINTS, from + 20) - from;
    for (let at = 0; at < all.length; at += 1000) {
      const series: WriteSeries[] = all.slice(at, at + 1000).map((s) => {
        const timestamps = new Float64Array(n);
        const values = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          timestamps[k] = T0 + (from + k) * STEP_MS;
          values[k] = s.value(from + k);
        }
        return { labels: s.labels, timestamps, values, exemplars: [] };
      });
      yield { series, metadata: [] };
    }
  }
}

const children: Array<{ kill: () => void }> = [];
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-promql-'));

async function main(): Promise<void> {
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  children.push({ kill: () => void nats.process.stop('SIGKILL', 0) });
  const bus = await connectBus({ url: nats.url, name: 'bench', ...nats.login(NATS_DEV_ADMIN) });
  serveTenant(bus);
  const prom = await startPrometheus();
  children.push({ kill: () => void prom.stop() });
  const strata = await startBenchStrata(nats, dir, 'gateway,router,ingester,store,query');
  children.push({ kill: () => strata.child.kill('SIGKILL') });
  const { url, headers } = strata;
  try {
    let total = 0;
    const t = performance.now();
    for (const batch of batches()) {
      total += batch.series.reduce((n, s) => n + s.values.length, 0);
      await prom.write(batch);
      for (const until = Date.now() + 120_000; ;) {
        try {
          const res = await fetch(`${url}/api/v1/write`, {
            method: 'POST',
            headers: { ...headers, ...REMOTE_WRITE_V1_HEADERS },
            body: encodeWriteRequestV1(batch),
          });
          if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
          break;
        } catch (error) {
          // The first batch may arrive before the gateway listens or the partitions have owners.
          if (Date.now() > until || total > batch.series.length * 20) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
    // Acknowledged means stored in the stream; wait until the heads hold every sample.
    const count = `sum(count_over_time({__name__=~"bench_.*"}[2h]))`;
    for (const until = Date.now() + 300_000; ;) {
      const held = await fetch(
        `${url}/api/v1/query?${new URLSearchParams({ query: count, time: String((END + 1) / 1000) })}`,
        { headers },
      ).then((r) => r.json() as Promise<{ data?: { result: Array<{ value: [number, string] }> } }>);
      if (Number(held.data?.result[0]?.value[1] ?? 0) === total) break;
      if (Date.now() > until) throw new Error(`the heads hold ${JSON.stringify(held)} of ${total}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(
      `data: ${families().reduce((n, f) => n + f.labels.length, 0)} series (${perMetric} per metric, ${metrics} metrics) x ${POINTS} samples (1 h at 15 s) = ${total} samples, loaded into both in ${((performance.now() - t) / 1000).toFixed(1)} s (Prometheus ${prom.version})`,
    );
    const start = END - 50 * 60_000;
    console.log(
      `range queries over the last 50 min at 15 s steps (201 points), over HTTP, alternating Strata and Prometheus; median of ${runs} after one warm-up pass over every shape`,
    );
    const strataPid = strata.child.pid as number;
    await compareShapes(
      { url, headers, cpu: () => treeCpuMs(strataPid) },
      { url: prom.url, headers: {}, cpu: () => cpuMs(prom.pid) },
      { start, end: END, step: STEP_MS },
      runs,
    );
  } finally {
    await strata.stop();
    await prom.stop();
    await bus.drain();
    await nats.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  for (const c of children) c.kill();
  process.exit(1);
});
