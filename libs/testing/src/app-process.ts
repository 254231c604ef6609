import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/** An app started as its own process, the way a deployment runs it. */
export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript entry point of the workspace (`apps/<x>/src/main.ts`) as a child process and
 * waits until its output matches `ready`, it exits, or `timeoutMs` passes.
 */
export async function startAppProcess(options: {
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<AppProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', options.entry, ...(options.args ?? [])],
    {
      cwd: root,
      env: { ...process.env, ...options.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!options.ready.test(output) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}
