import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '@strata/devstack';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../../..');

/**
 * Loaded in the interactive zsh under test, after compinit: the real `_strata` runs on Tab, and a
 * `compadd` wrapper prints the matches it would offer (what zsh would list), then exits.
 */
const INIT = `PROMPT=
autoload -U compinit && compinit -u -d "$ZDOTDIR/.zcompdump"
source "$STRATA_COMPLETION"
print -r -- "REGISTERED \${_comps[strata]}"
bindkey '^I' complete-word
null-line () { print -n -- $'\\0' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
compadd () {
  # Calls that only ask (-O, -A, -D) pass through untouched.
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits == 0 )) && return 1
  print -r -- ""
  print -r -- "HITS \${(j: :)hits}"
  builtin compadd -Q -U ''
}
`;

/** Types `$2` and Tab into an interactive zsh on a pseudo-terminal (zsh/zpty), and prints what it shows. */
const DRIVER = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "source \${(q)1}"
zpty -w z "$2"$'\\t'
local line
while zpty -r z line; do print -r -- "$line"; done
zpty -d z
`;

/**
 * `strata completion zsh` loaded in a real zsh with compinit: Tab after a partial command line
 * offers the groups, subcommands, output formats, flags and saved profiles.
 */
describe('zsh completion', () => {
  let dir = '';
  let zsh = '';

  /** What zsh offers on Tab after `line`, or null when it offers nothing. */
  const complete = (line: string): Promise<{ registered: string; hits: string[] | null }> =>
    new Promise((resolve, reject) => {
      execFile(
        zsh,
        ['-f', join(dir, 'driver.zsh'), join(dir, 'init.zsh'), line],
        {
          env: {
            ...process.env,
            ZDOTDIR: dir,
            STRATA_COMPLETION: join(dir, 'strata.zsh'),
            STRATA_CONFIG: join(dir, 'config.yaml'),
            PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
          },
          timeout: 60_000,
        },
        (error, stdout) => {
          if (error) return reject(error);
          const lines = stdout.replace(/\r/g, '').split('\n');
          const registered = lines.find((l) => l.startsWith('REGISTERED '))?.slice(11) ?? '';
          const hits = lines.find((l) => l.startsWith('HITS '));
          resolve({ registered, hits: hits ? hits.slice(5).split(' ') : null });
        },
      );
    });

  beforeAll(async () => {
    // The test command installs Debian's zsh when it is missing (tools/platform/src/run-tests.ts).
    zsh = which('zsh') ?? '';
    if (!zsh) throw new Error("Debian's zsh package is not installed");
    dir = await mkdtemp(join(tmpdir(), 'strata-zsh-'));
    const script = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', join(ROOT, 'apps/cli/src/main.ts'), 'completion', 'zsh'],
        { cwd: ROOT, env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    await writeFile(join(dir, 'strata.zsh'), script);
    await writeFile(join(dir, 'init.zsh'), INIT);
    await writeFile(join(dir, 'driver.zsh'), DRIVER);
    // Profile names are completed by running the CLI itself, as a user's PATH would find it.
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'current-profile: dev',
        'profiles:',
        '  dev: { url: "http://127.0.0.1:8080", token: dev-token }',
        '  prod-eu: { url: "https://strata.example", token: prod-token }',
      ].join('\n'),
    );
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(
      join(bin, 'strata'),
      `#!/bin/sh\nSWC_NODE_PROJECT=${join(ROOT, 'tsconfig.json')} exec ${process.execPath} -r @swc-node/register ${join(ROOT, 'apps/cli/src/main.ts')} "$@"\n`,
    );
    await chmod(join(bin, 'strata'), 0o755);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers _strata for strata and offers the command groups that match', async () => {
    const groups = await complete('strata ');
    expect(groups.registered).toBe('_strata');
    expect(groups.hits).toEqual(expect.arrayContaining(['pipelines', 'models', 'tenants']));
    expect((await complete('strata pi')).hits).toEqual(['pipelines']);
    expect((await complete('strata m')).hits?.sort()).toEqual(['migrate', 'models']);
    expect((await complete('strata zz')).hits).toBeNull();
  });

  it("offers a group's subcommands, the output formats and the flags", async () => {
    expect((await complete('strata pipelines ')).hits).toEqual(['list', 'get', 'stats']);
    expect((await complete('strata completion ')).hits).toEqual(['bash', 'zsh']);
    expect((await complete('strata tenants list -o ')).hits).toEqual(['table', 'json', 'yaml']);
    expect((await complete('strata tenants list --output y')).hits).toEqual(['yaml']);
    expect((await complete('strata --t')).hits).toEqual(['--token', '--tenant']);
  });

  it('offers the saved profiles after --profile, read from the CLI', async () => {
    expect((await complete('strata --profile ')).hits?.sort()).toEqual(['dev', 'prod-eu']);
    expect((await complete('strata --profile pr')).hits).toEqual(['prod-eu']);
  });
});
