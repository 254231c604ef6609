// Range-query latency of Strata's query service against Debian's Prometheus on the same data. Run:
//   node -r @swc-node/register tools/bench/promql/main.ts [hours=6] [counterSeries=10000] [runs=3]
// Prometheus gets the data through remote write and answers over HTTP on loopback. Strata is timed
// twice: the query service's executor in process (engine, tenant scoping, Prometheus JSON shaping
// and serialisation), and the whole read path over HTTP (gateway API -> NATS -> query service)
// against a nats-server the benchmark starts.
import { MemorySeriesSource, QueryExecutor } from '@strata/query';
import { labelsFrom } from '@strata/tsdb';
import { type WriteBatch, type WriteSeries } from '@strata/remote-write';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_MONOLITH_IDENTITY } from '@strata/contracts';
import { startNatsServer } from '@strata/devstack';
import { startPrometheus } from '../../promql-diff/src/prometheus-server';
import { startStrata } from '../../promql-diff/src/strata-server';
import { BENCH_QUERIES as QUERIES, median } from './queries';

const hours = Number(process.argv[2] ?? 6);
const counterSeries = Number(process.argv[3] ?? 10_000);
const runs = Number(process.argv[4] ?? 3);
const STEP_MS = 15_000;
const T0 = 1_700_000_000_000;
const points = Math.floor((hours * 3600_000) / STEP_MS) + 1;
const END = T0 + (points - 1) * STEP_MS;
const TENANT = 'bench';
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

interface Spec {
  labels: Record<string, string>;
  value: (i: number) => number;
}

function specs(): Spec[] {
  const out: Spec[] = [];
  const jobs = 10;
  const perJob = Math.max(1, Math.floor(counterSeries / jobs / 10));
  for (let j = 0; j < jobs; j++) {
    for (let inst = 0; inst < perJob; inst++) {
      for (let path = 0; path < 10; path++) {
        const rate = 1 + ((j * 31 + inst * 7 + path) % 50);
        out.push({
          labels: {
            __name__: 'bench_requests_total',
            job: `job-${j}`,
            instance: `i-${inst}`,
            path: `/p${path}`,
          },
          value: (i) => i * rate + ((i * path) % 7),
        });
      }
      out.push({
        labels: {
          __name__: 'bench_build_info',
          job: `job-${j}`,
          instance: `i-${inst}`,
          version: `v${inst % 3}`,
        },
        value: () => 1,
      });
    }
    // 10 histograms per job, 10 buckets each: 1000 bucket series in all.
    for (let h = 0; h < 10; h++) {
      LE.forEach((le, b) => {
        out.push({
          labels: {
            __name__: 'bench_latency_seconds_bucket',
            job: `job-${j}`,
            instance: `i-${h}`,
            le,
          },
          value: (i) => i * (b + 1) * (h + 1),
        });
      });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const all = specs();
  console.log(
    `data: ${all.length} series x ${points} samples (${hours} h at 15 s) = ${((all.length * points) / 1e6).toFixed(1)}M samples`,
  );
  const prom = await startPrometheus();
  const natsDir = mkdtempSync(join(tmpdir(), 'strata-bench-nats-'));
  const nats = await startNatsServer({ dataDir: natsDir });
  const source = new MemorySeriesSource();
  const strata = await startStrata(
    { url: nats.url, login: nats.login(NATS_MONOLITH_IDENTITY) },
    { tenants: [TENANT], source, defaultTimeoutMs: 600_000 },
  );
  try {
    let t = Date.now();
    for (let from = 0; from < points; from += 20) {
      const series: WriteSeries[] = all.map((s) => {
        const n = Math.min(points, from + 20) - from;
        const ts = new Float64Array(n);
        const vs = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          ts[k] = T0 + (from + k) * STEP_MS;
          vs[k] = s.value(from + k);
          source.append(TENANT, s.labels, ts[k], vs[k]);
        }
        return { labels: labelsFrom(s.labels), timestamps: ts, values: vs, exemplars: [] };
      });
      const batch: WriteBatch = { series, metadata: [] };
      await prom.write(batch);
    }
    console.log(
      `loaded both in ${((Date.now() - t) / 1000).toFixed(1)} s (Prometheus ${prom.version})`,
    );
    const executor = new QueryExecutor(source, { defaultTimeoutMs: 600_000 });
    const range = { startMs: END - 2 * 3600_000, endMs: END, stepMs: 60_000 };
    const params = new URLSearchParams({
      start: String(range.startMs / 1000),
      end: String(range.endMs / 1000),
      step: '60',
    });
    console.log(
      `range queries over the last 2 h at 60 s steps; median of ${runs} runs after one warm-up`,
    );
    console.log(
      [
        'query',
        'series',
        'strata in-process ms',
        'strata http ms',
        'prometheus http ms',
        'in-process/prom',
        'http/prom',
      ].join('\t'),
    );
    for (const [name, query] of QUERIES) {
      const strataTimes: number[] = [];
      const httpTimes: number[] = [];
      const promTimes: number[] = [];
      let strataSeries = 0;
      let promSeries = 0;
      for (let r = 0; r <= runs; r++) {
        t = performance.now();
        const reply = await executor.range({ tenantId: TENANT, query, ...range });
        JSON.stringify(reply);
        if (r > 0) strataTimes.push(performance.now() - t);
        if (reply.status !== 'success') throw new Error(`strata: ${query}: ${reply.error}`);
        strataSeries = (reply.data.result as unknown[]).length;
        params.set('query', query);
        const post = async (
          url: string,
          headers: Record<string, string>,
        ): Promise<{ ms: number; series: number }> => {
          const start = performance.now();
          const res = await fetch(`${url}/api/v1/query_range`, {
            method: 'POST',
            body: params,
            headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          });
          const body = (await res.json()) as { data?: { result: unknown[] }; error?: string };
          if (!body.data) throw new Error(`${url}: ${query}: ${body.error ?? res.status}`);
          return { ms: performance.now() - start, series: body.data.result.length };
        };
        const viaHttp = await post(strata.url, strata.headersFor(TENANT));
        const viaProm = await post(prom.url, {});
        if (r > 0) {
          httpTimes.push(viaHttp.ms);
          promTimes.push(viaProm.ms);
        }
        promSeries = viaProm.series;
      }
      const s = median(strataTimes);
      const h = median(httpTimes);
      const p = median(promTimes);
      const series =
        strataSeries === promSeries ? String(strataSeries) : `${strataSeries}/${promSeries}`;
      console.log(
        [
          name,
          series,
          s.toFixed(1),
          h.toFixed(1),
          p.toFixed(1),
          (s / p).toFixed(2),
          (h / p).toFixed(2),
        ].join('\t'),
      );
    }
  } finally {
    await strata.stop();
    await prom.stop();
    await nats.process.stop();
    rmSync(natsDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
