// The CLI's upload body alone: a file sent over HTTP to a server in another process that drains
// it, either from a read stream (a fresh 1 MiB buffer per read, what the push did) or through
// `sendFileRange` (four reused buffers), measuring the sending process's CPU and garbage
// collection per GiB. Usage (from the repo root), alternating the two several times:
//   node -r @swc-node/register tools/bench/models/upload-reads.ts <stream|reuse> <file> [rounds=2]
import { fork } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { type ClientRequest, createServer, request } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';

type SendFileRange = (
  req: ClientRequest,
  path: string,
  offset: number,
  size: number,
  onBytes: (n: number) => void,
) => Promise<void>;
// The CLI is an app, not a lib: loaded by path, as main.ts runs it.
const { sendFileRange } = require(
  join(__dirname, '../../../apps/cli/src/commands/models/range-sender.ts'),
) as { sendFileRange: SendFileRange };

const GiB = 1 << 30;

function serve(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
}

function send(port: number, mode: string, file: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'PUT', headers: { 'content-length': size } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    if (mode === 'stream') createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
    else void sendFileRange(req, file, 0, size, () => undefined);
  });
}

async function main(): Promise<void> {
  const [mode, file, rounds = '2'] = process.argv.slice(2);
  if (mode === 'serve') return serve();
  // A live heap of the CLI's size (its TypeScript loader): marking it costs what it does there.
  const ballast: unknown[] = [];
  for (let i = 0; i < 1_000_000; i++) ballast.push({ i, s: `x${i}`, a: [i, i + 1] });
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });
  const server = fork(__filename, ['serve'], { execArgv: ['-r', '@swc-node/register'] });
  const port = await new Promise<number>((resolve) => server.once('message', resolve));
  const size = statSync(file).size;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < Number(rounds); i++) await send(port, mode, file, size);
  const { user, system } = process.cpuUsage(cpu);
  const gib = (Number(rounds) * size) / GiB;
  console.log(
    `${mode}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s, ` +
      `CPU ${((user + system) / 1e6 / gib).toFixed(2)} s/GiB (user ${(user / 1e6 / gib).toFixed(2)}), ` +
      `GC ${(gcMs / 1000 / gib).toFixed(3)} s/GiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB (${ballast.length} objects held)`,
  );
  server.kill();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
