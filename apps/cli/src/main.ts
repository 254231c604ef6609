import { parseArgs } from 'node:util';
import { StrataError } from '@strata/contracts';
import { auditReplay, auditVerify, migrate } from './commands/audit';
import { loadCliConfig } from './config';

const USAGE = `usage:
  strata audit replay --at <RFC3339> | --position <N>   control-plane state as of then (JSON)
  strata audit verify                                    walk the audit hash chain; exit 1 on a break
  strata migrate                                         apply pending database migrations
environment: DATABASE_URL (postgres://...)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { at: { type: 'string' }, position: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const command = positionals.join(' ');
  if (values.help || command === '') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadCliConfig();
  switch (command) {
    case 'audit replay': {
      if ((values.at === undefined) === (values.position === undefined)) {
        console.error('give exactly one of --at or --position');
        return 2;
      }
      const bound = values.at !== undefined ? { at: values.at } : { position: Number(values.position) };
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof StrataError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));
    process.exitCode = 3;
  },
);
