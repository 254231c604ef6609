// Kubernetes events and audit events: ingested through the gateway, stored in JetStream,
// evaluated and archived in Postgres by the events service, end to end on this machine; the
// event-rules engine alone; and the raw Postgres insert ceiling of the archive, in the same run.
// Run:
//   node -r @swc-node/register tools/bench/events/main.ts [records=100000] [senders=4] [batch=400]
// kube-events and kube-auditing publish no throughput figures; the peer figure is therefore the
// archive's own insert ceiling (EventArchive.insert of prebuilt rows, no NATS, no evaluation),
// next to kube-apiserver's default audit webhook throttle (10 batches/s of 400 = 4,000 events/s).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Agent, request } from 'undici';
import { connectBus } from '@strata/bus';
import {
  type ControlQueryRequest,
  DEFAULT_QUOTA,
  type EventRuleSetView,
  type RuleSet,
  Subjects,
} from '@strata/contracts';
import {
  NATS_DEV_ADMIN,
  createDatabaseIfMissing,
  freePort,
  startLocalStack,
} from '@strata/devstack';
import {
  compileRuleSets,
  effectiveRuleSets,
  evaluateAuditEvent,
  evaluateKubeEvent,
  flattenAuditEvent,
  flattenKubeEvent,
} from '@strata/event-rules';
import { EventArchive, auditEventRow, kubeEventRow } from '@strata/events';
import { auditCorpus } from '@strata/testing';
import { twoHundredRules } from './rules';

const [RECORDS, SENDERS, BATCH] = [100_000, 4, 400].map((d, i) => Number(process.argv[2 + i] ?? d));
const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, '.strata/bench-events');
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
/** A record as the edge parsers hand it over: JSON objects. */
type Json = Parameters<typeof flattenKubeEvent>[0];

/** Kubernetes events as kube-events' exporter sends them: a spread of reasons, some alerting. */
function kubeEvents(n: number, t0: number): Json[] {
  const reasons = [
    ['Normal', 'Scheduled'],
    ['Normal', 'Pulled'],
    ['Normal', 'Started'],
    ['Warning', 'BackOff'],
    ['Warning', 'Unhealthy'],
    ['Warning', 'FailedScheduling'],
    ['Normal', 'Killing'],
    ['Warning', 'NetworkNotReady'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [type, reason] = reasons[i % reasons.length];
    const time = new Date(t0 + i * 100).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name: `pod-${i}.${i.toString(16)}`, namespace: `ns-${i % 50}`, uid: `uid-${i}` },
      involvedObject: {
        kind: 'Pod',
        namespace: `ns-${i % 50}`,
        name: `pod-${i % 5000}`,
        apiVersion: 'v1',
        fieldPath: 'spec.containers{app}',
      },
      reason,
      message: `${reason} for pod-${i % 5000}`,
      source: { component: 'kubelet', host: `node-${i % 20}` },
      firstTimestamp: time,
      lastTimestamp: time,
      count: (i % 7) + 1,
      type,
      cluster: 'prod',
    };
  });
}

function rate(n: number, ms: number): string {
  return `${Math.round((n * 1000) / ms).toLocaleString('en')}/s`;
}

function timed<T>(f: () => T): [T, number] {
  const t = performance.now();
  const v = f();
  return [v, performance.now() - t];
}

/** The event-rules engine alone, in this process: flattening plus evaluation, then evaluation only. */
function engineAlone(audit: Json[], events: Json[], big: RuleSet): string[] {
  const defaults = compileRuleSets(effectiveRuleSets('bench', []));
  const many = compileRuleSets([big]);
  const lines: string[] = [];
  const [flatAudit, flatMs] = timed(() => audit.map((e) => flattenAuditEvent(e, 'prod')));
  const [, evalMs] = timed(() => flatAudit.forEach((f) => evaluateAuditEvent(defaults, f)));
  lines.push(
    `engine, audit, default packs: flatten+evaluate ${rate(audit.length, flatMs + evalMs)}, evaluate only ${rate(audit.length, evalMs)}`,
  );
  const [, manyMs] = timed(() => flatAudit.forEach((f) => evaluateAuditEvent(many, f)));
  lines.push(
    `engine, audit, 200 rules: evaluate only ${rate(audit.length, manyMs)} (${rate(audit.length * 200, manyMs)} rule evaluations)`,
  );
  const [flatEvents, fMs] = timed(() => events.map((e) => flattenKubeEvent(e)));
  const [, eMs] = timed(() => flatEvents.forEach((f) => evaluateKubeEvent(defaults, f, 'prod')));
  lines.push(
    `engine, kube events, default packs: flatten+evaluate ${rate(events.length, fMs + eMs)}, evaluate only ${rate(events.length, eMs)}`,
  );
  return lines;
}

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  const stack = await startLocalStack({ dataDir: DIR, ephemeral: false, database: 'strata_bench' });
  const children: ChildProcess[] = [];
  try {
    const adminUrl = stack.postgresAdminUrl as string;
    await createDatabaseIfMissing(adminUrl, 'bench_events');
    const databaseUrl = adminUrl.replace(/\/[^/]+$/, '/bench_events');
    const t0 = Date.now() - 2 * 86_400_000;
    const audit = auditCorpus(RECORDS, t0) as unknown as Json[];
    const events = kubeEvents(RECORDS, t0);
    const big: RuleSet = {
      tenantId: 'rules200',
      name: 'two-hundred',
      cluster: null,
      spec: twoHundredRules(),
      version: 1,
    };
    const lines = engineAlone(audit, events, big);
    lines.forEach((l) => console.log(l));

    // The control plane's answers the service needs, stood in for on NATS: open quotas, and the
    // 200-rule set for tenant rules200 (the others evaluate the default packs).
    const bus = await connectBus({
      url: stack.natsUrl,
      name: 'bench',
      ...stack.natsLogin(NATS_DEV_ADMIN),
    });
    bus.serve<ControlQueryRequest, unknown>(Subjects.controlQuery, 'control-plane', ({ query }) => {
      const now = new Date().toISOString();
      if (query.type === 'ListEventRuleSets') {
        const view: EventRuleSetView = { ...big, origin: 'tenant', createdAt: now, updatedAt: now };
        return Promise.resolve({ items: [view], nextCursor: null });
      }
      const tenantId = 'tenantId' in query ? query.tenantId : '';
      if (query.type === 'GetQuota')
        return Promise.resolve({
          tenantId,
          quota: { ...DEFAULT_QUOTA, eventsRatePerSecond: 0 },
          version: 1,
          updatedAt: now,
        });
      return Promise.resolve({
        tenantId,
        displayName: tenantId,
        status: 'active',
        suspendedReason: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    });
    const port = await freePort();
    const log = openSync(join(DIR, 'strata.log'), 'a');
    // STRATA_BENCH_SPLIT=1 runs the gateway and the events service as two processes, as they are
    // deployed, instead of both in one (`--target=gateway,events`).
    const targets =
      process.env.STRATA_BENCH_SPLIT === '1' ? ['gateway', 'events'] : ['gateway,events'];
    for (const target of targets) {
      const child = spawn(
        process.execPath,
        [
          // STRATA_BENCH_PROFILE=<dir> writes a CPU profile of each Strata process there.
          // STRATA_BENCH_NODE_ARGS: extra V8/Node flags for the Strata processes, space-separated.
          ...(process.env.STRATA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
          ...(process.env.STRATA_BENCH_PROFILE
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATA_BENCH_PROFILE}`]
            : []),
          '-r',
          '@swc-node/register',
          // STRATA_BENCH_TRACE=<file>: the events consumer's steps, one JSON line each (occupancy.ts).
          ...(process.env.STRATA_BENCH_TRACE ? ['-r', join(__dirname, 'occupancy-trace.ts')] : []),
          'apps/strata/src/main.ts',
          `--target=${target}`,
        ],
        {
          cwd: ROOT,
          stdio: ['ignore', log, log],
          env: {
            ...process.env,
            NATS_URL: stack.natsUrl,
            NATS_CREDENTIALS_DIR: stack.natsCredentialsDir ?? '',
            DATABASE_URL: databaseUrl,
            HTTP_HOST: '127.0.0.1',
            HTTP_PORT: String(target.startsWith('gateway') ? port : await freePort()),
            STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
            STRATA_DATA_DIR: join(DIR, 'strata'),
            HEALTH_PORT: String(await freePort()),
            SWC_NODE_PROJECT: 'tsconfig.json',
            LOG_LEVEL: 'warn',
          },
        },
      );
      children.push(child);
    }
    const strataCpu = () => children.map((c) => cpuSeconds(c.pid as number));
    const gateway = `http://127.0.0.1:${port}`;
    const headers = (tenant: string) => ({
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      'X-Scope-OrgID': tenant,
      'Content-Type': 'application/json',
    });
    for (const until = Date.now() + 120_000; ;) {
      const ok = await fetch(`${gateway}/api/v1/audit/search?limit=0`, {
        headers: headers('audit'),
      })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > until)
        throw new Error(`strata did not start; see ${join(DIR, 'strata.log')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    // The per-minute counts grow in the archive's own transactions, so they equal the rows; reading
    // them every 20 ms costs Postgres little, where counting the rows would show in its CPU figure.
    const count = async (table: string, tenant: string) =>
      Number(
        (
          (
            await pg.query(
              `SELECT coalesce(sum(n), 0) AS n FROM event_counts WHERE tenant_id = $1 AND kind = $2`,
              [tenant, table === 'kube_events' ? 'events' : 'audit'],
            )
          ).rows[0] as { n: string }
        ).n,
      );

    const endToEnd = async (
      label: string,
      tenant: string,
      table: 'audit_events' | 'kube_events',
      texts: string[],
      path: string,
      expected: number,
    ) => {
      // The senders stand for kube-apiservers on other machines: bodies encoded before the clock
      // starts, and undici's own client rather than fetch (whose streams cost several times the
      // CPU per request), so they take as little as they can of the two cores Strata runs on.
      const bodies = texts.map((t) => Buffer.from(t));
      const dispatcher = new Agent({ connections: SENDERS });
      const cpu0 = strataCpu();
      const peers0 = peerCpu();
      const self0 = process.cpuUsage();
      const start = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const res = await request(`${gateway}${path}`, {
              method: 'POST',
              body,
              headers: headers(tenant),
              dispatcher,
            });
            if (res.statusCode !== 200)
              throw new Error(`${path} answered ${res.statusCode}: ${await res.body.text()}`);
            await res.body.dump();
          }
        }),
      );
      const acked = performance.now() - start;
      await dispatcher.close();
      // Every 20 ms: at 40k/s a run lasts 2.5 s, and a 100 ms step was up to 4% of it.
      while ((await count(table, tenant)) < expected) await new Promise((r) => setTimeout(r, 20));
      const archived = performance.now() - start;
      const each = strataCpu().map((c, i) => c - cpu0[i]);
      const cpu = each.reduce((a, b) => a + b, 0);
      const peers = peerCpu();
      const self = process.cpuUsage(self0);
      const per1k = (seconds: number) => ((seconds * 1000) / (RECORDS / 1000)).toFixed(1);
      const line = `${label}: ${RECORDS} records in batches of ${BATCH}, ${SENDERS} senders: acked ${rate(RECORDS, acked)}, evaluated and archived (${expected} rows) ${rate(RECORDS, archived)}; CPU ms per 1k records: strata ${per1k(cpu)}${each.length > 1 ? ` (gateway ${per1k(each[0])}, events ${per1k(each[1])})` : ''}, postgres ${per1k(peers.postgres - peers0.postgres)}, nats-server ${per1k(peers.nats - peers0.nats)}, senders ${per1k((self.user + self.system) / 1e6)}`;
      console.log(line);
      lines.push(line);
    };

    const auditBodies: string[] = [];
    for (let i = 0; i < audit.length; i += BATCH)
      auditBodies.push(
        JSON.stringify({
          kind: 'EventList',
          apiVersion: 'audit.k8s.io/v1',
          metadata: {},
          items: audit.slice(i, i + BATCH),
        }),
      );
    const eventBodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH)
      eventBodies.push(
        events
          .slice(i, i + BATCH)
          .map((e) => JSON.stringify(e))
          .join('\n'),
      );

    const archivedBy = (rules: ReturnType<typeof compileRuleSets>) =>
      audit.filter((e) => evaluateAuditEvent(rules, flattenAuditEvent(e, 'prod')).archive).length;
    await endToEnd(
      'end to end, audit, default packs',
      'audit',
      'audit_events',
      auditBodies,
      '/api/v1/audit/webhook/event?cluster=prod',
      archivedBy(compileRuleSets(effectiveRuleSets('audit', []))),
    );
    await endToEnd(
      'end to end, audit, default packs + 200 rules',
      'rules200',
      'audit_events',
      auditBodies,
      '/api/v1/audit/webhook/event?cluster=prod',
      archivedBy(compileRuleSets(effectiveRuleSets('rules200', [big]))),
    );
    await endToEnd(
      'end to end, kube events, default packs',
      'events',
      'kube_events',
      eventBodies,
      '/api/v1/events',
      RECORDS,
    );

    // The ceiling: the archive's own inserts of the same rows, 4 writers, no NATS, no rules.
    const archive = await EventArchive.open({ databaseUrl, retentionDays: 30 });
    for (const [kind, rows] of [
      ['audit', audit.map((e) => auditEventRow('prod', e, Date.now()))],
      ['events', events.map((e) => kubeEventRow('prod', e, Date.now()))],
    ] as const) {
      let next = 0;
      const peers0 = peerCpu();
      const start = performance.now();
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (next < rows.length) {
            const from = next;
            next += BATCH;
            await archive.insert(kind, 'ceiling', rows.slice(from, from + BATCH));
          }
        }),
      );
      const pgCpu = peerCpu().postgres - peers0.postgres;
      const line = `postgres ceiling, ${kind}: EventArchive.insert of ${rows.length} prebuilt rows, ${SENDERS} writers, ${BATCH} per insert: ${rate(rows.length, performance.now() - start)}; postgres CPU ${((pgCpu * 1000) / (rows.length / 1000)).toFixed(1)} ms per 1k rows`;
      console.log(line);
      lines.push(line);
    }
    await archive.close();
    await pg.end();
    await bus.drain();
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2_000));
    for (const c of children) c.kill('SIGKILL');
    await stack.stop();
  }
}

/** User plus system CPU seconds a process has used so far (with its reaped children's when asked). */
function cpuSeconds(pid: number, reaped = false): number {
  const fields = statOf(pid);
  if (fields === null) return 0;
  const own = Number(fields[11]) + Number(fields[12]);
  return (reaped ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
}

/** The fields of /proc/<pid>/stat after the command, or null when the process is gone. */
function statOf(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Processes whose command line contains `text`. */
function pidsWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    });
}

/**
 * CPU seconds so far of the bench's own nats-server and Postgres (the postmaster, its live
 * backends and the ones it reaped), so each stage's cost per record shows beside Strata's.
 */
function peerCpu(): { nats: number; postgres: number } {
  const nats = pidsWith(DIR).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nats-server'),
  );
  const postmasters = pidsWith(join(DIR, 'postgres'));
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => postmasters.includes(Number(statOf(pid)?.[1])));
  return {
    nats: nats.reduce((s, pid) => s + cpuSeconds(pid), 0),
    postgres:
      postmasters.reduce((s, pid) => s + cpuSeconds(pid, true), 0) +
      children.reduce((s, pid) => s + cpuSeconds(pid), 0),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
