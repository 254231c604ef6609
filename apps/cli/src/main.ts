import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { StrataError } from '@strata/contracts';
import { ModelsApiError } from './commands/models/models-client';
import { MODELS_USAGE } from './commands/models/models-usage';
import { bashCompletion, type CommandTree, zshCompletion } from './completion';
import { loadCliConfig } from './config';
import { ApiError, EXIT, EXIT_CODES_USAGE, UnreachableError, UsageError } from './exit-codes';
import { isOutput, type Output } from './output';
import { configPath, readConfigFile, resolveTarget } from './profiles';
import { ALERTS, RULES_STATUS, SILENCES } from './platform/alerting';
import { type Command, type CommandContext, type Flags } from './platform/command';
import { profileCommands } from './platform/profiles-command';
import { AUDIT_LIST, EVENTS, MODELS_REGISTERED, PIPELINES } from './platform/search';
import { KEYS, QUOTAS, TENANTS } from './platform/tenants';

// Each group that reads Postgres or the bucket, or loads the models transfer code, imports its
// modules on first use: the control plane, TypeORM and the bucket clients made every other command
// start a second or more later.

const OPTIONS = {
  at: { type: 'string' },
  position: { type: 'string' },
  tenant: { type: 'string' },
  'tenant-label': { type: 'string' },
  'allow-overlap': { type: 'boolean', default: false },
  'no-compact': { type: 'boolean', default: false },
  details: { type: 'string' },
  remove: { type: 'boolean', default: false },
  namespace: { type: 'string' },
  'part-size-mib': { type: 'string' },
  concurrency: { type: 'string' },
  register: { type: 'string' },
  'run-id': { type: 'string' },
  output: { type: 'string', short: 'o' },
  url: { type: 'string' },
  token: { type: 'string' },
  profile: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  actor: { type: 'string' },
  type: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  since: { type: 'string' },
  kind: { type: 'string' },
  q: { type: 'string' },
  interval: { type: 'string' },
  matcher: { type: 'string', short: 'm', multiple: true },
  comment: { type: 'string' },
  author: { type: 'string' },
  duration: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** The HTTP command groups: each subcommand reads the public API only. */
function httpGroups(path: string, values: Values): Record<string, Record<string, Command>> {
  const profiles = profileCommands(path, values);
  return {
    login: { '': profiles.login },
    config: profiles.config,
    tenants: TENANTS,
    quotas: QUOTAS,
    keys: KEYS,
    alerts: ALERTS,
    silences: SILENCES,
    events: EVENTS,
    pipelines: PIPELINES,
  };
}

/** Every group and subcommand, for completion. */
const TREE: CommandTree = {
  login: [],
  config: ['get-profiles', 'use-profile', 'current-profile', 'delete-profile'],
  completion: ['bash', 'zsh'],
  tenants: Object.keys(TENANTS),
  quotas: Object.keys(QUOTAS),
  keys: Object.keys(KEYS),
  audit: ['list', 'replay', 'verify'],
  events: Object.keys(EVENTS),
  rules: ['check', 'diff', 'sync', 'list', 'status'],
  blocks: ['upload', 'import-thanos', 'ls', 'inspect', 'mark'],
  alerts: Object.keys(ALERTS),
  silences: Object.keys(SILENCES),
  pipelines: Object.keys(PIPELINES),
  models: ['init', 'push', 'pull', 'list', 'info', 'alias', 'tag', 'registered'],
  migrate: [],
};

function usageText(path: string, values: Values): string {
  const lines = Object.values(httpGroups(path, values)).flatMap((group) =>
    Object.values(group).map((c) => `  ${c.usage}`),
  );
  return `usage:
${lines.join('\n')}
  strata completion bash|zsh                         shell completion (source <(strata completion bash))
  strata ${RULES_STATUS.usage.slice('strata '.length)}
  strata ${AUDIT_LIST.usage.slice('strata '.length)}
  strata audit replay --at <RFC3339> | --position <N>   control-plane state as of then (reads DATABASE_URL; JSON, or -o yaml)
  strata audit verify                                    walk the audit hash chain; exit 1 on a break (JSON, or -o yaml)
  strata migrate                                         apply pending database migrations
  strata blocks upload --tenant <t> [--allow-overlap] <dir>
                                                         validate and upload a block dir, or every block of a Prometheus data dir
  strata blocks import-thanos <bucket-url> --tenant-label <name> [--allow-overlap]
                                                         copy a Thanos bucket's blocks, tenant from that external label
  strata blocks ls --tenant <t>                          the tenant's blocks
  strata blocks inspect --tenant <t> <ulid>              a block's meta, stats and label names
  strata blocks mark --tenant <t> --no-compact [--details <text>] [--remove] <ulid>
                                                         put (or remove) Thanos' no-compact-mark.json: the compactor leaves the block alone
  strata rules check <file>...                           check Prometheus rule files as promtool does
  strata rules diff --tenant <t> [--namespace <ns>] <file>   groups that differ from Strata's (+ new, ~ changed, - removed)
  strata rules sync --tenant <t> [--namespace <ns>] <file>   make the namespace (default: the file name) hold the file's groups
  strata rules list --tenant <t>                         the tenant's groups (default -o yaml)
${MODELS_USAGE}
  ${'strata ' + MODELS_REGISTERED.usage.slice('strata '.length)}
global flags: -o table|json|yaml on every read command (default table); the credential comes from
  --url/--token, else the profile named by --profile, else STRATA_URL/STRATA_TOKEN, else the
  current profile; --tenant names the tenant when the token is the platform admin's.
  Profiles live in ${path} (mode 0600).
${EXIT_CODES_USAGE}
environment: STRATA_CONFIG (the config file), DATABASE_URL (postgres://...); STRATA_BUCKET_URL, AWS_* and STRATA_S3_FORCE_PATH_STYLE for blocks`;
}

async function main(argv: string[]): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const path = configPath(process.env);
  const [group, sub, ...rest] = positionals;
  if (values.help || group === undefined) {
    console.log(usageText(path, values));
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (values.output !== undefined && !isOutput(values.output))
    throw new UsageError(`-o must be table, json or yaml, not ${values.output}`);
  const output: Output = (values.output as Output | undefined) ?? 'table';
  const target = async () => resolveTarget(values, process.env, await readConfigFile(path));
  const context = (args: string[], format = output): CommandContext => ({
    args,
    flags: values as Flags,
    output: format,
    target,
    print: (text) => console.log(text),
  });

  const groups = httpGroups(path, values);
  if (group === 'login') return groups.login[''].run(context(positionals.slice(1)));
  if (group in groups) {
    const command = sub === undefined ? undefined : groups[group][sub];
    if (!command) throw new UsageError(`unknown command: strata ${group} ${sub ?? ''}`);
    return command.run(context(rest));
  }
  switch (group) {
    case 'completion':
      if (sub === 'bash') process.stdout.write(bashCompletion(TREE));
      else if (sub === 'zsh') process.stdout.write(zshCompletion(TREE));
      else throw new UsageError('strata completion bash|zsh');
      return EXIT.ok;
    case 'blocks':
      return blocks([sub ?? '', ...rest], values, output);
    case 'rules':
      if (sub === 'status') return RULES_STATUS.run(context(rest));
      return rules([sub ?? '', ...rest], values, target, values.output as Output | undefined);
    case 'models':
      if (sub === 'registered') return MODELS_REGISTERED.run(context(rest));
      return (await import('./commands/models/models-command')).modelsCommand(
        target,
        [sub ?? '', ...rest],
        values,
        output,
      );
    case 'audit':
      if (sub === 'list') return AUDIT_LIST.run(context(rest));
      return audit(sub, values, values.output === 'yaml' ? 'yaml' : 'json');
    case 'migrate': {
      const { migrate } = await import('./commands/audit');
      const applied = await migrate(loadCliConfig());
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

async function audit(
  sub: string | undefined,
  values: Values,
  format: 'json' | 'yaml',
): Promise<number> {
  const config = loadCliConfig();
  const { auditReplay, auditVerify } = await import('./commands/audit');
  const print = (value: unknown) =>
    console.log(format === 'yaml' ? stringify(value).trimEnd() : JSON.stringify(value, null, 2));
  if (sub === 'replay') {
    if ((values.at === undefined) === (values.position === undefined))
      throw new UsageError('give exactly one of --at or --position');
    const bound =
      values.at !== undefined ? { at: values.at } : { position: Number(values.position) };
    print(await auditReplay(config, bound));
    return EXIT.ok;
  }
  if (sub === 'verify') {
    const result = await auditVerify(config);
    print(result);
    if (result.ok) return EXIT.ok;
    console.error(`audit chain broken at position ${result.brokenAt}: ${result.reason}`);
    return EXIT.failed;
  }
  throw new UsageError(`unknown command: strata audit ${sub ?? ''}`);
}

async function rules(
  [sub, ...files]: string[],
  flags: Values,
  target: () => Promise<{ url: string; token: string }>,
  output: Output | undefined,
): Promise<number> {
  const paths = files;
  const { rulesCheck, rulesDiff, rulesList, rulesSync } = await import('./commands/rules');
  if (sub === 'check') {
    if (paths.length === 0) throw new UsageError('give rule files to check');
    return rulesCheck(paths);
  }
  if (!flags.tenant) throw new UsageError('--tenant is required');
  const t = { ...(await target()), tenant: flags.tenant };
  switch (sub) {
    case 'list':
      process.stdout.write(await rulesList(t, output ?? 'yaml'));
      return EXIT.ok;
    case 'diff':
    case 'sync': {
      if (paths.length !== 1) throw new UsageError(`rules ${sub} takes one rule file`);
      const lines =
        sub === 'diff'
          ? await rulesDiff(t, paths[0], flags.namespace)
          : await rulesSync(t, paths[0], flags.namespace);
      for (const line of lines) console.log(line);
      return sub === 'diff' && lines.length > 0 ? EXIT.failed : EXIT.ok;
    }
    default:
      throw new UsageError(`unknown rules command: ${sub}`);
  }
}

async function blocks([sub, ...rest]: string[], flags: Values, format: Output): Promise<number> {
  const config = loadCliConfig();
  const { blocksImportThanos, blocksInspect, blocksLs, blocksMarkNoCompact, blocksUpload } =
    await import('./commands/blocks');
  const { renderBlockList, renderInspection, renderOutcomes } =
    await import('./commands/blocks-output');
  const allowOverlap = flags['allow-overlap'] ?? false;
  const args = rest;
  switch (sub) {
    case 'upload':
    case 'import-thanos': {
      const outcomes =
        sub === 'upload'
          ? args.length === 1 && flags.tenant
            ? await blocksUpload(config, { tenant: flags.tenant, path: args[0], allowOverlap })
            : null
          : args.length === 1 && flags['tenant-label']
            ? await blocksImportThanos(config, {
                url: args[0],
                tenantLabel: flags['tenant-label'],
                allowOverlap,
              })
            : null;
      if (outcomes === null) throw new UsageError(`blocks ${sub}: missing or extra arguments`);
      console.log(renderOutcomes(outcomes, format));
      const refused = outcomes.filter((o) => o.outcome === 'refused');
      for (const o of refused) console.error(`refused ${o.ulid}: ${o.detail}`);
      return refused.length > 0 ? EXIT.failed : EXIT.ok;
    }
    case 'ls':
      if (!flags.tenant || args.length > 0) throw new UsageError('blocks ls: give --tenant');
      console.log(renderBlockList(await blocksLs(config, flags.tenant), format));
      return EXIT.ok;
    case 'inspect':
      if (!flags.tenant || args.length !== 1)
        throw new UsageError('blocks inspect: give --tenant and a ULID');
      console.log(renderInspection(await blocksInspect(config, flags.tenant, args[0]), format));
      return EXIT.ok;
    case 'mark':
      if (!flags.tenant || args.length !== 1 || !flags['no-compact'])
        throw new UsageError('blocks mark: give --tenant, --no-compact and a ULID');
      console.log(
        await blocksMarkNoCompact(config, {
          tenant: flags.tenant,
          ulid: args[0],
          details: flags.details,
          remove: flags.remove ?? false,
        }),
      );
      return EXIT.ok;
    default:
      throw new UsageError(`unknown command: blocks ${sub}`);
  }
}

/** The exit code and stderr line of a failure, by what failed. */
function failure(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`${error.message}\nrun strata --help for the commands`);
    return EXIT.usage;
  }
  if (error instanceof ApiError || error instanceof ModelsApiError) {
    console.error(error.message);
    return EXIT.failed;
  }
  if (error instanceof UnreachableError || isConnectionFailure(error)) {
    console.error((error as Error).message);
    return EXIT.unreachable;
  }
  console.error(
    error instanceof StrataError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error),
  );
  return EXIT.local;
}

/** Network codes meaning the gateway was not reached, from node:http or from fetch's `cause`. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT']);

// The models transfer and rules commands use their own HTTP clients; a refused connection there
// is the same "gateway not reached" as in the platform commands.
function isConnectionFailure(error: unknown): boolean {
  const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return [codeOf(error), codeOf(cause)].some(
    (code) => typeof code === 'string' && UNREACHABLE_CODES.has(code),
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = failure(error);
  },
);
