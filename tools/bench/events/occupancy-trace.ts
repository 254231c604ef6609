// Preloaded into the Strata process by `STRATA_BENCH_TRACE=<file> … main.ts` (after the TypeScript
// loader): wraps the events consumer's steps on their prototypes, so nothing in the service knows,
// and writes one JSON line per step to <file> (time in ms of this process' clock): each delivery,
// its decision, its archive write, the group it went in with and that group's transaction, plus
// the event loop's utilization and the resident set every 50 ms. `occupancy.ts` reads the file.
import { appendFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const FILE = process.env.STRATA_BENCH_TRACE as string;
const lines: string[] = [];
const mark = (record: Record<string, unknown>) =>
  lines.push(JSON.stringify({ t: +performance.now().toFixed(3), ...record }));
const flush = () => {
  if (lines.length > 0) appendFileSync(FILE, `${lines.splice(0).join('\n')}\n`);
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wraps methods of any signature
type Method = (this: unknown, ...args: any[]) => any;
type Proto = Record<string, Method>;
/** The prototype of a class exported by a module already loaded whose path ends with `suffix`. */
function protoOf(suffix: string, name: string): Proto {
  const key = Object.keys(require.cache).find((k) => k.endsWith(suffix));
  const exported = key ? (require.cache[key]?.exports as Record<string, unknown>) : undefined;
  const cls = exported?.[name] as { prototype: Proto } | undefined;
  if (!cls) throw new Error(`occupancy trace: ${name} of ${suffix} is not loaded`);
  return cls.prototype;
}

/** Replaces `proto[method]` by `wrap(original)`. */
function around(proto: Proto, method: string, wrap: (original: Method) => Method): void {
  const original = proto[method];
  proto[method] = wrap(original);
}

const batchOfRows = new WeakMap<object, string>();
let groups = 0;
let currentGroup = -1;

function install(): void {
  // All found before any is wrapped, so a retry never wraps one twice.
  const consumer = protoOf('libs/bus/src/consumer.ts', 'StreamConsumer');
  const evaluator = protoOf('libs/events/src/evaluate/batch-evaluator.ts', 'BatchEvaluator');
  const archive = protoOf('libs/events/src/archive/event-archive.ts', 'EventArchive');
  // Only the process with the events service writes (with STRATA_BENCH_SPLIT=1, not the gateway).
  writeFileSync(FILE, '');
  around(
    consumer,
    'deliver',
    (original) =>
      async function (
        this: unknown,
        m: {
          seq: number;
          subject: string;
          info: { stream: string; timestampNanos: number; pending: number };
          headers?: { get(k: string): string };
        },
      ) {
        const batch = m.headers?.get('Nats-Msg-Id') ?? String(m.seq);
        // The stream's clock is the wall clock; this process' `performance.now()` is not.
        const storedAgo = Date.now() - m.info.timestampNanos / 1e6;
        mark({ ev: 'deliver', batch, subject: m.subject, storedAgo, pending: m.info.pending });
        try {
          return await original.call(this, m);
        } finally {
          mark({ ev: 'acked', batch });
        }
      },
  );
  around(
    evaluator,
    'decide',
    (original) =>
      async function (
        this: unknown,
        batch: { batchId: string; items: unknown[] },
        ...rest: unknown[]
      ) {
        mark({ ev: 'decide', batch: batch.batchId, items: batch.items.length });
        const decided = (await original.call(this, batch, ...rest)) as {
          prepared: { rows: number };
        };
        batchOfRows.set(decided.prepared, batch.batchId);
        mark({ ev: 'decided', batch: batch.batchId, rows: decided.prepared.rows });
        return decided;
      },
  );
  around(
    archive,
    'writeGroup',
    (original) =>
      async function (this: unknown, group: object[]) {
        const id = groups++;
        const batches = group.map((p) => batchOfRows.get(p) ?? '?');
        mark({ ev: 'group', group: id, batches });
        currentGroup = id;
        try {
          return await original.call(this, group);
        } finally {
          currentGroup = -1;
          mark({ ev: 'grouped', group: id });
        }
      },
  );
  around(
    archive,
    'inTransaction',
    (original) =>
      function (
        this: unknown,
        work: (runner: { query: Method }, client: unknown) => Promise<unknown>,
      ) {
        const group = currentGroup;
        mark({ ev: 'tx', group });
        const traced = async (runner: { query: Method }, client: unknown) => {
          mark({ ev: 'tx.began', group });
          const query = runner.query;
          runner.query = async function (this: unknown, sql: string, ...args: unknown[]) {
            const what = sql.trim().split(/\s+/).slice(0, 3).join(' ');
            mark({ ev: 'query', group, what });
            try {
              return await query.call(this, sql, ...args);
            } finally {
              mark({ ev: 'queried', group, what });
            }
          };
          try {
            return await work(runner, client);
          } finally {
            runner.query = query;
            mark({ ev: 'tx.worked', group });
          }
        };
        return (original.call(this, traced) as Promise<unknown>).finally(() =>
          mark({ ev: 'tx.done', group }),
        );
      },
  );
  let last = performance.eventLoopUtilization();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    mark({
      ev: 'elu',
      elu: +performance.eventLoopUtilization(now, last).utilization.toFixed(3),
      rss: Math.round(process.memoryUsage.rss() / 2 ** 20),
    });
    last = now;
    if (lines.length > 5_000) flush();
  }, 50).unref();
  setInterval(flush, 1_000).unref();
  process.on('exit', flush);
}

// Preloaded before the entry, which loads the services' modules as it starts them.
const tryInstall = (attempt: number) => {
  try {
    install();
  } catch {
    // A process without the events service (the gateway alone) is left as it is.
    if (attempt > 600) return;
    setTimeout(() => tryInstall(attempt + 1), 50);
  }
};
setImmediate(() => tryInstall(0));
