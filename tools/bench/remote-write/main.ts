// Remote write throughput, latency and memory of Strata (gateway, router and ingester) and of
// Prometheus' own remote-write receiver, on loopback with the same workload. Run:
//   node -r @swc-node/register tools/bench/remote-write/main.ts [series=10000] [rounds=20] [senders=4] [samplesPerRequest=2000] [pairs=1]
// Strata runs `apps/strata` as `npm start` does (minus the control plane, which the bench stands
// in for), one process unless STRATA_ROUTER_PROCESS=separate (the router in a supervised second
// one). Both are fed over HTTP and run as child processes
// so their RSS and CPU are theirs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type NatsBus } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, startNatsServer, startPrometheus } from '@strata/devstack';
import { type HeadCounts } from './hopless/heads';
import { type WriteBatch } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { createStoreClient } from '@strata/store-client';
import { serveTenant, TENANT } from '../promql/strata-vs-prometheus';
import { FAMILIES, labelsFor } from './workload';

const [numSeries, rounds, senders, perRequest, pairs] = [10_000, 20, 4, 2_000, 1].map((d, i) =>
  Number(process.argv[2 + i] ?? d),
);
const ROOT = join(__dirname, '../../..');
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-rw-'));

/** Every request body, built up front so encoding does not count against the receiver. */
function bodies(): Buffer[] {
  const labels = Array.from({ length: numSeries }, (_, i) => labelsFor(i));
  const out: Buffer[] = [];
  const t0 = Date.now() - rounds * 15_000;
  for (let r = 0; r < rounds; r++) {
    for (let start = 0; start < numSeries; start += perRequest) {
      const batch: WriteBatch = {
        metadata: [],
        series: labels.slice(start, start + perRequest).map((l, k) => ({
          labels: l,
          timestamps: new Float64Array([t0 + r * 15_000]),
          values: new Float64Array([r * 10 + ((start + k) % 7)]),
          exemplars: [],
        })),
      };
      out.push(encodeWriteRequestV1(batch));
    }
  }
  return out;
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** User plus system CPU seconds a process (or, given its stat file, a thread) has used so far. */
function cpuSeconds(pid: number, file = `/proc/${pid}/stat`): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks of 1/100 s on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process and its descendants (the all-in-one's supervised router), each with its command line's target. */
function processTree(pid: number): Array<{ pid: number; name: string }> {
  const tree: Array<{ pid: number; name: string }> = [];
  const visit = (p: number) => {
    const args = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
    const target = args.find((a) => a.startsWith('--target='));
    tree.push({ pid: p, name: target ? target.slice('--target='.length) : String(p) });
    for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' '))
      if (child.trim()) visit(Number(child));
  };
  visit(pid);
  // The parent's command line names the services it handed to its children too.
  const handedOff = new Set(tree.slice(1).flatMap((p) => p.name.split(',')));
  tree[0].name = tree[0].name
    .split(',')
    .filter((n) => !handedOff.has(n))
    .join(',');
  return tree;
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Result {
  name: string;
  samplesPerSecond: number;
  p50: number;
  p99: number;
  /** p99 without the first round. */
  warmP99: number;
  peakRss: number;
  bytesPerSeries: number;
  /** CPU seconds the receiver (and, for Strata, nats-server) used per million samples acked. */
  cpuPerMillion: string;
  extra: string;
}

async function drive(
  all: Buffer[],
  send: (body: Buffer) => Promise<void>,
): Promise<{
  seconds: number;
  latencies: number[];
  /** Latencies after the first round, which creates every series on a freshly started receiver. */
  warmLatencies: number[];
  senderCpuSeconds: number;
}> {
  const latencies: number[] = [];
  const warmLatencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const blocks = Math.ceil(numSeries / perRequest);
  const started = process.hrtime.bigint();
  // Like Prometheus' shards: each sender owns a fixed set of series, so every series stays in order.
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      for (let i = 0; i < all.length; i++) {
        if ((i % blocks) % senders !== sender) continue;
        const body = all[i];
        const t = process.hrtime.bigint();
        await send(body);
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        latencies.push(ms);
        if (i >= blocks) warmLatencies.push(ms);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    latencies: latencies.sort((a, b) => a - b),
    warmLatencies: warmLatencies.sort((a, b) => a - b),
    senderCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const perMillion = (seconds: number): string => ((seconds * 1e6) / (numSeries * rounds)).toFixed(1);

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** The figures every receiver is compared by: its run's rate and latencies, and its memory. */
function runFigures(
  run: Awaited<ReturnType<typeof drive>>,
  memory: { peakRss: number; rss: number; baseline: number },
): Pick<Result, 'samplesPerSecond' | 'p50' | 'p99' | 'warmP99' | 'peakRss' | 'bytesPerSeries'> {
  return {
    samplesPerSecond: (numSeries * rounds) / run.seconds,
    p50: pct(run.latencies, 50),
    p99: pct(run.latencies, 99),
    warmP99: pct(run.warmLatencies, 99),
    peakRss: memory.peakRss,
    bytesPerSeries: (memory.rss - memory.baseline) / numSeries,
  };
}

/** A fresh directory per run: a second run must not find the first one's stream or TSDB. */
function runDir(name: string): string {
  return mkdtempSync(join(dir, `${name}-`));
}

async function benchStrata(all: Buffer[]): Promise<Result> {
  const here = runDir('strata');
  const nats = await startNatsServer({ dataDir: join(here, 'nats') });
  children.push({ kill: () => void nats.process.stop('SIGKILL', 0) });
  const bus: NatsBus = await connectBus({
    url: nats.url,
    name: 'bench',
    ...nats.login(NATS_DEV_ADMIN),
  });
  serveTenant(bus);
  const httpPort = await freePort();
  // STRATA_BENCH_PROFILE=<dir> writes a CPU profile of the Strata process there.
  const profile = process.env.STRATA_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATA_BENCH_PROFILE}`]
    : [];
  // STRATA_BENCH_PROCESSES=gateway,ingester;router starts the targets as separate processes
  // (each with STRATA_ROUTER_PROCESS deciding whether its router gets a child of its own).
  const targets = (process.env.STRATA_BENCH_PROCESSES ?? 'gateway,router,ingester').split(';');
  const strata: ChildProcess[] = [];
  for (const [i, target] of targets.entries())
    strata.push(
      spawnLogged(
        process.execPath,
        [...profile, '-r', '@swc-node/register', 'apps/strata/src/main.ts', `--target=${target}`],
        `strata-${i}`,
        {
          NATS_URL: nats.url,
          NATS_CREDENTIALS_DIR: nats.credentialsDir,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(i === 0 ? httpPort : await freePort()),
          STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
          STRATA_DATA_DIR: join(here, `strata-${i}`),
          HEALTH_PORT: String(await freePort()),
          SWC_NODE_PROJECT: 'tsconfig.json',
          LOG_LEVEL: 'warn',
        },
      ),
    );
  const pidsOf = () => strata.flatMap((c) => processTree(c.pid as number));
  let processes = pidsOf();
  const sum = (f: (pid: number) => number) => processes.reduce((n, p) => n + f(p.pid), 0);
  const store = createStoreClient(bus, {
    partitions: Number(process.env.STRATA_INGEST_PARTITIONS ?? 8),
    timeoutMs: 30_000,
  });
  const range = {
    tenantId: TENANT,
    matchers: [],
    start: 0,
    end: Date.now() + 3_600_000,
  };
  for (const until = Date.now() + 120_000; ;) {
    try {
      await bus.request(
        Subjects.routerWrite,
        {
          tenantId: TENANT,
          contentType: null,
          contentEncoding: null,
          body: encodeWriteRequestV1({ series: [], metadata: [] }).toString('base64'),
          protocolVersion: null,
        },
        { timeoutMs: 2_000 },
      );
      await store.labelNames(range);
      break;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // Once the router and every partition answer, the supervised router (if any) is running.
  processes = pidsOf();
  const baseline = sum(rss);
  const cpuBefore = [sum(cpuSeconds), cpuSeconds(nats.process.pid)];
  const cpuBeforeEach = processes.map((p) => cpuSeconds(p.pid));
  // Through the gateway, as a Prometheus would: the platform admin writes naming the tenant.
  const run = await drive(all, (body) =>
    post(`http://127.0.0.1:${httpPort}/api/v1/write`, body, {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      'X-Scope-OrgID': TENANT,
    }),
  );
  const cpu = [sum(cpuSeconds), cpuSeconds(nats.process.pid)].map(
    (c, i) => ((c - cpuBefore[i]) * 1e6) / (numSeries * rounds),
  );
  const cpuEach = processes
    .map(
      (p, i) =>
        `${p.name} ${(((cpuSeconds(p.pid) - cpuBeforeEach[i]) * 1e6) / (numSeries * rounds)).toFixed(2)}`,
    )
    .join(', ');
  // Acknowledged means stored in the stream; wait until the heads hold it all as well.
  const total = numSeries * rounds;
  const ingestStart = process.hrtime.bigint();
  let held = 0;
  for (const until = Date.now() + 300_000; held < total && Date.now() < until;) {
    held = 0;
    // One metric family at a time, as a dashboard would ask, not every series in one answer.
    for (let family = 0; family < FAMILIES; family++) {
      const series = await store.select({
        ...range,
        matchers: [
          {
            type: '=',
            name: '__name__',
            value: `node_cpu_seconds_total_${family}`,
          },
        ],
      });
      held += series.value.reduce((n, s) => n + s.timestamps.length, 0);
    }
    if (held < total) await new Promise((r) => setTimeout(r, 500));
  }
  const catchUp = Number(process.hrtime.bigint() - ingestStart) / 1e9;
  const result: Result = {
    name: 'strata',
    ...runFigures(run, { peakRss: sum(peakRss), rss: sum(rss), baseline }),
    cpuPerMillion: `${cpu[0].toFixed(1)} s (${processes.length > 1 ? `${cpuEach}; ` : ''}+ nats-server ${cpu[1].toFixed(1)} s, senders ${perMillion(run.senderCpuSeconds)} s)`,
    extra: `heads hold ${held}/${total} samples ${catchUp.toFixed(1)} s after the last ack (ack-to-queryable throughput ${(total / (run.seconds + catchUp)).toFixed(0)} samples/s)`,
  };
  await Promise.all(strata.map(stop));
  await bus.drain();
  await nats.process.stop();
  return result;
}

/** What the hop-less prototype's `/bench/state` answers. */
interface HoplessState {
  counts: HeadCounts;
  mainTid: number;
  workerTid: number | null;
  replay: { writes: number; seconds: number };
}

/**
 * The hop-less prototype (`hopless/server.ts`, variant STRATA_BENCH_HOPLESS=A, B or C) in Strata's
 * place: its CPU per thread, then a restart that replays the stream, whose heads must match.
 */
async function benchHopless(all: Buffer[]): Promise<Result> {
  const variant = String(process.env.STRATA_BENCH_HOPLESS);
  const here = runDir('hopless');
  const nats = await startNatsServer({ dataDir: join(here, 'nats') });
  children.push({ kill: () => void nats.process.stop('SIGKILL', 0) });
  const httpPort = await freePort();
  const profile = process.env.STRATA_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATA_BENCH_PROFILE}`]
    : [];
  const start = (i: number) =>
    spawnLogged(
      process.execPath,
      [...profile, '-r', '@swc-node/register', 'tools/bench/remote-write/hopless/server.ts'],
      `hopless-${i}`,
      {
        HOPLESS_VARIANT: variant,
        NATS_URL: nats.url,
        HOPLESS_NATS_LOGIN: JSON.stringify(nats.login(NATS_DEV_ADMIN)),
        HTTP_PORT: String(httpPort),
        SWC_NODE_PROJECT: 'tsconfig.json',
      },
    );
  const state = async (): Promise<HoplessState> => {
    for (const until = Date.now() + 300_000; ;) {
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/bench/state`);
        return (await res.json()) as HoplessState;
      } catch (error) {
        if (Date.now() > until || server.exitCode !== null) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  let server = start(0);
  const pid = server.pid as number;
  const before = await state();
  const threadCpu = (tid: number | null) =>
    tid === null ? 0 : cpuSeconds(pid, `/proc/${pid}/task/${tid}/stat`);
  const baseline = rss(pid);
  const cpu0 = [cpuSeconds(pid), threadCpu(before.mainTid), threadCpu(before.workerTid)];
  const nats0 = cpuSeconds(nats.process.pid);
  const run = await drive(all, (body) =>
    post(`http://127.0.0.1:${httpPort}/api/v1/push`, body, { 'X-Scope-OrgID': TENANT }),
  );
  const [proc, main, worker] = [
    cpuSeconds(pid),
    threadCpu(before.mainTid),
    threadCpu(before.workerTid),
  ].map((c, i) => c - cpu0[i]);
  const natsCpu = cpuSeconds(nats.process.pid) - nats0;
  const result: Result = {
    name: 'strata',
    ...runFigures(run, { peakRss: peakRss(pid), rss: rss(pid), baseline }),
    cpuPerMillion:
      `${perMillion(proc)} s (hopless-${variant}: main thread ${perMillion(main)}` +
      `${before.workerTid === null ? '' : `, worker ${perMillion(worker)}`}, other threads ${perMillion(proc - main - worker)}; ` +
      `+ nats-server ${perMillion(natsCpu)} s, senders ${perMillion(run.senderCpuSeconds)} s)`,
    extra: '',
  };
  const live = (await state()).counts;
  await stop(server);
  server = start(1);
  const replayed = await state();
  const same = replayed.counts.series === live.series && replayed.counts.samples === live.samples;
  result.extra =
    `heads hold ${live.samples}/${numSeries * rounds} samples of ${live.series} series when the last write is acked (${live.refused} refused); ` +
    `after a restart, ${replayed.replay.writes} writes replayed in ${replayed.replay.seconds.toFixed(1)} s: ${replayed.counts.samples} samples of ${replayed.counts.series} series (${same ? 'the same' : 'DIFFERENT'})`;
  if (!same || live.samples !== numSeries * rounds)
    throw new Error(`hop-less prototype lost or changed samples: ${result.extra}`);
  await stop(server);
  await nats.process.stop();
  return result;
}

async function benchPrometheus(all: Buffer[]): Promise<Result> {
  const prom = await startPrometheus({
    dir: runDir('prometheus'),
    flags: ['--web.enable-remote-write-receiver'],
  });
  children.push({ kill: () => process.kill(prom.pid, 'SIGKILL') });
  const pid = prom.pid;
  await new Promise((r) => setTimeout(r, 1_000));
  const baseline = rss(pid);
  const cpuBefore = cpuSeconds(pid);
  const run = await drive(all, async (body) => {
    const res = await fetch(`${prom.url}/api/v1/write`, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      },
    });
    if (res.status >= 300)
      throw new Error(`prometheus answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  });
  const result: Result = {
    name: 'prometheus',
    ...runFigures(run, { peakRss: peakRss(pid), rss: rss(pid), baseline }),
    cpuPerMillion: `${perMillion(cpuSeconds(pid) - cpuBefore)} s (senders ${perMillion(run.senderCpuSeconds)} s)`,
    extra: 'samples are queryable when acknowledged',
  };
  await prom.stop();
  return result;
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      ...headers,
    },
  });
  if (res.status >= 300) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

/** Everything the bench started, so a failed run leaves nothing behind. */
const children: Array<{ kill(): void }> = [];

function spawnLogged(
  command: string,
  args: string[],
  name: string,
  env: Record<string, string>,
): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  children.push({ kill: () => child.kill('SIGKILL') });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const all = bodies();
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  console.log(
    `${numSeries} active series, ${rounds} rounds, ${perRequest} samples/request, ${senders} senders: ${all.length} requests, ${numSeries * rounds} samples, ${pairs} pair(s)`,
  );
  const ratios: Array<{
    throughput: number;
    p99: number;
    warmP99: number;
    bytesPerSeries: number;
  }> = [];
  for (let pair = 0; pair < pairs; pair++) {
    // On a shared machine the load drifts: each pair runs back to back, and the order alternates
    // so a drift in one direction does not favour whichever receiver always runs first.
    // STRATA_BENCH_HOPLESS=A|B|C runs the hop-less prototype (stop 28) in Strata's place.
    const strata = process.env.STRATA_BENCH_HOPLESS ? benchHopless : benchStrata;
    const order = pair % 2 === 0 ? [strata, benchPrometheus] : [benchPrometheus, strata];
    const results = new Map<string, Result>();
    for (const bench of order) {
      const r = await bench(all);
      results.set(r.name, r);
      console.log(
        `${r.name.padEnd(10)} ${r.samplesPerSecond.toFixed(0).padStart(9)} samples/s acked  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms (${r.warmP99.toFixed(1)} after round 1)  ` +
          `peak RSS ${mb(r.peakRss)}  ${r.bytesPerSeries.toFixed(0)} B/active series  CPU ${r.cpuPerMillion}/1M samples; ${r.extra}`,
      );
    }
    const s = results.get('strata') as Result;
    const p = results.get('prometheus') as Result;
    const ratio = {
      throughput: s.samplesPerSecond / p.samplesPerSecond,
      p99: s.p99 / p.p99,
      warmP99: s.warmP99 / p.warmP99,
      bytesPerSeries: s.bytesPerSeries / p.bytesPerSeries,
    };
    ratios.push(ratio);
    console.log(
      `strata/prometheus: throughput ${ratio.throughput.toFixed(2)}x, p99 ${ratio.p99.toFixed(2)}x (${ratio.warmP99.toFixed(2)}x after round 1), peak RSS ${(s.peakRss / p.peakRss).toFixed(2)}x, bytes/series ${ratio.bytesPerSeries.toFixed(2)}x`,
    );
  }
  if (pairs > 1) {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const of = (k: keyof (typeof ratios)[number]) =>
      `${median(ratios.map((r) => r[k])).toFixed(2)}x (${ratios.map((r) => r[k].toFixed(2)).join(' ')})`;
    console.log(
      `median of ${pairs} pairs: throughput ${of('throughput')}, p99 ${of('p99')}, p99 after round 1 ${of('warmP99')}, bytes/series ${of('bytesPerSeries')}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  for (const c of children) c.kill();
  console.error(error);
  console.error(`logs in ${dir}`);
  process.exit(1);
});
