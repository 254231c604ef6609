// Rule evaluation cost of Strata's rules engine against Debian's Prometheus, same rules, same data.
// Run:
//   node -r @swc-node/register tools/bench/ruler/main.ts [rules=10000] [series=10000] [interval=60] [cycles=3]
// Both get 10 minutes of history at 15 s (and samples ahead, so an evaluation never lacks data).
// Prometheus loads the rule file (groups of 40) and evaluates on its own schedule; its cost per
// cycle is the sum of `prometheus_rule_group_last_duration_seconds` over the groups and the CPU
// it spends over whole intervals (process_cpu_seconds_total), idle work included.
// Strata's side, in this process: `@strata/rules`' GroupEvaluator over the project's PromQL engine,
// reading through the query service's `TenantQueryable` from the ingester's tsdb `Head` (postings
// index, XOR chunks), with the recorded samples appended back to that head as the router would
// write them. Included: rule evaluation, PromQL, tenant scoping, postings lookups, chunk decoding,
// appending results. Not included: the NATS hops ruler -> query service -> ingesters and
// ruler -> router, the Store API wire encoding, and the router's limits; Strata's CPU is this
// process' CPU during the evaluations only (no idle work, no ingestion).
// Four runs at full scale (10k rules, 10k series, 15 s; 2 cycles x3, 4 cycles x1) on a shared
// 2-core machine under load: Strata 1.5-3.1 s vs Prometheus 1.1-3.3 s per cycle (wall time moves
// with the load), CPU 1.1-1.7 s vs 1.4-1.65 s per cycle (ratio 0.69-1.11x).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TENANT_LABEL } from '@strata/contracts';
import { startPrometheus } from '@strata/devstack';
import { Engine } from '@strata/promql';
import { TenantQueryable } from '@strata/query';
import { type WriteSeries } from '@strata/remote-write';
import { remoteWrite } from '@strata/remote-write/testing';
import { GroupEvaluator, type OutputSample, parseRuleFile, engineQueryFunc } from '@strata/rules';
import { Head, labelsFrom } from '@strata/tsdb';
import { HeadSeriesSource } from './head-series-source';

const RULES = Number(process.argv[2] ?? 10_000);
const SERIES = Number(process.argv[3] ?? 10_000);
const INTERVAL_S = Number(process.argv[4] ?? 60);
const CYCLES = Number(process.argv[5] ?? 3);
const STEP_MS = 15_000;
const PER_GROUP = 40;
const TENANT = 'bench';
const INSTANCES = Math.max(1, Math.floor(SERIES / 100));

/** Series `bench_requests_total{job 0..9, instance, path 0..9}`: 100 per instance. */
function seriesLabels(): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < INSTANCES; i++)
    for (let j = 0; j < 10; j++)
      for (let p = 0; p < 10; p++)
        out.push({
          __name__: 'bench_requests_total',
          job: `j${j}`,
          instance: `i${i}`,
          path: `p${p}`,
        });
  return out;
}

/** Rule k: one of four shapes over the ten series of one instance and path. */
function ruleExpr(k: number): string {
  const sel = `bench_requests_total{instance="i${k % INSTANCES}",path="p${Math.floor(k / INSTANCES) % 10}"}`;
  switch (k % 4) {
    case 0:
      return `sum by (job) (rate(${sel}[5m]))`;
    case 1:
      return `sum(increase(${sel}[5m]))`;
    case 2:
      return `max by (path) (${sel})`;
    default:
      return `avg(rate(${sel}[1m])) * 60`;
  }
}

function ruleFile(): string {
  const groups: string[] = [];
  for (let g = 0; g * PER_GROUP < RULES; g++) {
    const rules: string[] = [];
    for (let k = g * PER_GROUP; k < Math.min(RULES, (g + 1) * PER_GROUP); k++)
      rules.push(
        `      - record: bench:rule:${k % 4}\n        expr: ${ruleExpr(k)}\n        labels:\n          rule: "${k}"\n`,
      );
    groups.push(`  - name: g${g}\n    interval: ${INTERVAL_S}s\n    rules:\n${rules.join('')}`);
  }
  return `groups:\n${groups.join('')}`;
}

async function metric(url: string, name: string): Promise<number[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .map((l) => Number(l.split(' ').pop()));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const labels = seriesLabels();
  const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const from = now - 10 * 60_000;
  const until = now + (CYCLES + 3) * INTERVAL_S * 1000 + 60_000;
  const times: number[] = [];
  for (let t = from; t <= until; t += STEP_MS) times.push(t);
  console.log(
    `${RULES} recording rules in ${Math.ceil(RULES / PER_GROUP)} groups over ${labels.length} series, interval ${INTERVAL_S}s`,
  );

  const head = new Head();
  const all: WriteSeries[] = labels.map((l, n) => {
    const values = new Float64Array(times.map((_t, i) => i * (1 + (n % 50))));
    head.appendSamples(labelsFrom({ ...l, [TENANT_LABEL]: TENANT }), times, values);
    return { labels: labelsFrom(l), timestamps: new Float64Array(times), values, exemplars: [] };
  });

  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-ruler-'));
  writeFileSync(join(dir, 'rules.yml'), ruleFile());
  const prom = await startPrometheus({
    dir,
    config: `global:\n  evaluation_interval: ${INTERVAL_S}s\nrule_files:\n  - ${join(dir, 'rules.yml')}\nscrape_configs: []\n`,
    flags: ['--web.enable-remote-write-receiver', '--log.level=warn'],
  });
  try {
    for (let i = 0; i < all.length; i += 500)
      await remoteWrite(`${prom.url}/api/v1/write`, {
        metadata: [],
        series: all.slice(i, i + 500),
      });

    // Strata: every group evaluated at each cycle's timestamp, one after another.
    const parsed = parseRuleFile(ruleFile(), { maxRulesPerGroup: PER_GROUP });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 3)));
    const query = engineQueryFunc(
      new Engine(),
      new TenantQueryable(new HeadSeriesSource(head), TENANT),
    );
    const sink = {
      append: async (out: ReadonlyArray<OutputSample>) => {
        for (const s of out)
          head.append(labelsFrom({ ...s.labels.toRecord(), [TENANT_LABEL]: TENANT }), s.t, s.value);
      },
    };
    const evaluators = parsed.groups.map(
      (g) => new GroupEvaluator(g, { file: 'bench', query, sink }),
    );
    const strataMs: number[] = [];
    const strataCpu: number[] = [];
    let recorded = 0;
    for (let c = 0; c < CYCLES; c++) {
      const ts = now + c * INTERVAL_S * 1000;
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (const e of evaluators) await e.eval(ts);
      strataMs.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      strataCpu.push((used.user + used.system) / 1e6);
      recorded = evaluators.reduce(
        (n, e) => n + e.rules.filter((r) => r.status.health === 'ok').length,
        0,
      );
    }

    // Prometheus: wait until every group has been evaluated, then measure over whole intervals.
    const groups = Math.ceil(RULES / PER_GROUP);
    const evaluated = async () =>
      (await metric(prom.url, 'prometheus_rule_group_last_evaluation_timestamp_seconds')).filter(
        (v) => v > 0,
      ).length;
    while ((await evaluated()) < groups) await new Promise((r) => setTimeout(r, 1000));
    const promMs: number[] = [];
    const cpu0 = (await metric(prom.url, 'process_cpu_seconds_total'))[0];
    const wall0 = Date.now();
    for (let c = 0; c < CYCLES; c++) {
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
      const durations = await metric(prom.url, 'prometheus_rule_group_last_duration_seconds');
      promMs.push(durations.reduce((a, b) => a + b, 0) * 1000);
    }
    const cpu1 = (await metric(prom.url, 'process_cpu_seconds_total'))[0];
    const promCpuPerCycle = ((cpu1 - cpu0) * INTERVAL_S * 1000) / (Date.now() - wall0);
    const promOk = (await (await fetch(`${prom.url}/api/v1/rules?type=record`)).json()) as {
      data: { groups: Array<{ rules: Array<{ health: string }> }> };
    };
    const promHealthy = promOk.data.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health === 'ok').length;

    const s = median(strataMs);
    const p = median(promMs);
    const sc = median(strataCpu);
    console.log(`healthy rules: strata ${recorded}, prometheus ${promHealthy} (${prom.version})`);
    console.log('                      strata   prometheus   ratio');
    console.log(
      `evaluation ms/cycle  ${s.toFixed(0).padStart(8)}   ${p.toFixed(0).padStart(10)}   ${(s / p).toFixed(2)}x`,
    );
    console.log(
      `CPU s/cycle          ${sc.toFixed(2).padStart(8)}   ${promCpuPerCycle.toFixed(2).padStart(10)}   ${(sc / promCpuPerCycle).toFixed(2)}x`,
    );
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
