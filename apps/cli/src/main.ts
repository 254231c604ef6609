import { parseArgs } from 'node:util';
import { StrataError } from '@strata/contracts';
import { type OutputFormat } from './commands/blocks-output';
import { MODELS_USAGE } from './commands/models/models-usage';
import { loadCliConfig, loadModelsTarget, loadRulesTarget } from './config';

// Each command group loads its modules on first use: the audit and blocks commands pull in the
// control plane, TypeORM and the bucket clients, which `strata models` needs none of and which
// made every models command start a second later.

const USAGE = `usage:
  strata audit replay --at <RFC3339> | --position <N>   control-plane state as of then (JSON)
  strata audit verify                                    walk the audit hash chain; exit 1 on a break
  strata migrate                                         apply pending database migrations
  strata blocks upload --tenant <t> [--allow-overlap] <dir>
                                                         validate and upload a block dir, or every block of a Prometheus data dir
  strata blocks import-thanos <bucket-url> --tenant-label <name> [--allow-overlap]
                                                         copy a Thanos bucket's blocks, tenant from that external label
  strata blocks ls --tenant <t>                          the tenant's blocks
  strata blocks inspect --tenant <t> <ulid>              a block's meta, stats and label names
  strata blocks mark --tenant <t> --no-compact [--details <text>] [--remove] <ulid>
                                                         put (or remove) Thanos' no-compact-mark.json: the compactor leaves the block alone
  blocks commands take -o table|json (default table)
  strata rules check <file>...                           check Prometheus rule files as promtool does
  strata rules diff --tenant <t> [--namespace <ns>] <file>   groups that differ from Strata's (+ new, ~ changed, - removed)
  strata rules sync --tenant <t> [--namespace <ns>] <file>   make the namespace (default: the file name) hold the file's groups
  strata rules list --tenant <t>                         the tenant's groups as YAML
  rules commands reach the gateway at STRATA_URL (default http://127.0.0.1:8080) with STRATA_TOKEN
${MODELS_USAGE}
environment: DATABASE_URL (postgres://...); STRATA_BUCKET_URL, AWS_* and STRATA_S3_FORCE_PATH_STYLE for blocks`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
      output: { type: 'string', short: 'o', default: 'table' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals[0] === 'blocks') return blocks(positionals.slice(1), values);
  if (positionals[0] === 'rules') return rules(positionals.slice(1), values);
  if (positionals[0] === 'models') {
    const { modelsCommand } = await import('./commands/models/models-command');
    return modelsCommand(() => loadModelsTarget(values.tenant), positionals.slice(1), values);
  }
  const command = positionals.join(' ');
  if (values.help || command === '') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadCliConfig();
  const { auditReplay, auditVerify, migrate } = await import('./commands/audit');
  switch (command) {
    case 'audit replay': {
      if ((values.at === undefined) === (values.position === undefined)) {
        console.error('give exactly one of --at or --position');
        return 2;
      }
      const bound =
        values.at !== undefined ? { at: values.at } : { position: Number(values.position) };
      console.log(JSON.stringify(await auditReplay(config, bound), null, 2));
      return 0;
    }
    case 'audit verify': {
      const result = await auditVerify(config);
      console.log(JSON.stringify(result, null, 2));
      if (result.ok) return 0;
      console.error(`audit chain broken at position ${result.brokenAt}: ${result.reason}`);
      return 1;
    }
    case 'migrate': {
      const applied = await migrate(config);
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    default:
      console.error(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

async function rules(
  [sub, ...files]: string[],
  flags: { tenant?: string; namespace?: string },
): Promise<number> {
  const { rulesCheck, rulesDiff, rulesList, rulesSync } = await import('./commands/rules');
  if (sub === 'check')
    return files.length === 0 ? usage('give rule files to check') : rulesCheck(files);
  if (!flags.tenant) return usage('--tenant is required');
  const target = loadRulesTarget(flags.tenant);
  switch (sub) {
    case 'list':
      process.stdout.write(await rulesList(target));
      return 0;
    case 'diff':
    case 'sync': {
      if (files.length !== 1) return usage(`rules ${sub} takes one rule file`);
      const lines =
        sub === 'diff'
          ? await rulesDiff(target, files[0], flags.namespace)
          : await rulesSync(target, files[0], flags.namespace);
      for (const line of lines) console.log(line);
      return sub === 'diff' && lines.length > 0 ? 1 : 0;
    }
    default:
      return usage(`unknown rules command: ${sub ?? ''}`);
  }
}

interface BlocksFlags {
  tenant?: string;
  'tenant-label'?: string;
  'allow-overlap'?: boolean;
  'no-compact'?: boolean;
  details?: string;
  remove?: boolean;
  output?: string;
}

async function blocks([sub, ...rest]: string[], flags: BlocksFlags): Promise<number> {
  const format = flags.output as OutputFormat;
  if (format !== 'table' && format !== 'json')
    return usage(`-o must be table or json, not ${flags.output}`);
  const config = loadCliConfig();
  const { blocksImportThanos, blocksInspect, blocksLs, blocksMarkNoCompact, blocksUpload } =
    await import('./commands/blocks');
  const { renderBlockList, renderInspection, renderOutcomes } =
    await import('./commands/blocks-output');
  const allowOverlap = flags['allow-overlap'] ?? false;
  switch (sub) {
    case 'upload':
    case 'import-thanos': {
      const outcomes =
        sub === 'upload'
          ? rest.length === 1 && flags.tenant
            ? await blocksUpload(config, { tenant: flags.tenant, path: rest[0], allowOverlap })
            : null
          : rest.length === 1 && flags['tenant-label']
            ? await blocksImportThanos(config, {
                url: rest[0],
                tenantLabel: flags['tenant-label'],
                allowOverlap,
              })
            : null;
      if (outcomes === null) return usage(`blocks ${sub}: missing or extra arguments`);
      console.log(renderOutcomes(outcomes, format));
      const refused = outcomes.filter((o) => o.outcome === 'refused');
      for (const o of refused) console.error(`refused ${o.ulid}: ${o.detail}`);
      return refused.length > 0 ? 1 : 0;
    }
    case 'ls':
      if (!flags.tenant || rest.length > 0) return usage('blocks ls: give --tenant');
      console.log(renderBlockList(await blocksLs(config, flags.tenant), format));
      return 0;
    case 'inspect':
      if (!flags.tenant || rest.length !== 1)
        return usage('blocks inspect: give --tenant and a ULID');
      console.log(renderInspection(await blocksInspect(config, flags.tenant, rest[0]), format));
      return 0;
    case 'mark':
      if (!flags.tenant || rest.length !== 1 || !flags['no-compact'])
        return usage('blocks mark: give --tenant, --no-compact and a ULID');
      console.log(
        await blocksMarkNoCompact(config, {
          tenant: flags.tenant,
          ulid: rest[0],
          details: flags.details,
          remove: flags.remove ?? false,
        }),
      );
      return 0;
    default:
      return usage(`unknown command: blocks ${sub ?? ''}`);
  }
}

function usage(problem: string): number {
  console.error(`${problem}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof StrataError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error),
    );
    process.exitCode = 3;
  },
);
