import { type CallerIdentity } from '@strata/contracts';
import { UsageError } from '../exit-codes';
import { render } from '../output';
import { type CliConfigFile, type Profile, readConfigFile, writeConfigFile } from '../profiles';
import { api } from './http';
import { type Command, type CommandContext, arg } from './command';

/** Where the config file is and the flags login reads. */
export interface ProfileFlags {
  url?: string;
  token?: string;
  profile?: string;
  tenant?: string;
}

/** Who a token is, from `/api/v1/whoami`, which any valid credential may ask (a write-only key too). */
async function whoIs(profile: Profile): Promise<string> {
  const { body } = await api<CallerIdentity>(
    { url: profile.url, token: profile.token },
    '/api/v1/whoami',
  );
  return body.kind === 'platform-admin'
    ? 'the platform admin'
    : `an API key of ${body.tenantId} (${body.scopes.join(', ')})`;
}

/** `strata login` and `strata config ...`, on the config file at `path`. */
export function profileCommands(
  path: string,
  flags: ProfileFlags,
): {
  login: Command;
  config: Record<string, Command>;
} {
  const save = async (change: (config: CliConfigFile) => void): Promise<CliConfigFile> => {
    const config = await readConfigFile(path);
    change(config);
    await writeConfigFile(path, config);
    return config;
  };
  const login: Command = {
    usage:
      'strata login --url <gateway> --token <token> [--profile <name>] [--tenant <t>]   check the token, save it as the current profile',
    async run(ctx) {
      if (!flags.url || !flags.token) throw new UsageError('login needs --url and --token');
      const profile: Profile = {
        url: flags.url.replace(/\/+$/, ''),
        token: flags.token,
        ...(flags.tenant ? { tenant: flags.tenant } : {}),
      };
      const who = await whoIs(profile);
      const name = flags.profile ?? 'default';
      await save((c) => {
        c.profiles[name] = profile;
        c['current-profile'] = name;
      });
      ctx.print(`logged in to ${profile.url} as ${who}; profile ${name} is current (${path})`);
      return 0;
    },
  };
  const list = async (ctx: CommandContext) => {
    const config = await readConfigFile(path);
    const rows = Object.entries(config.profiles).map(([name, p]) => ({
      name,
      current: name === config['current-profile'],
      url: p.url,
      tenant: p.tenant ?? null,
    }));
    // Tokens stay in the file: printing them would put them in scrollback and CI logs.
    ctx.print(
      render(
        ctx.output,
        { currentProfile: config['current-profile'] ?? null, profiles: rows },
        rows,
        [
          ['CURRENT', (r) => (r.current ? '*' : ' ')],
          ['NAME', (r) => r.name],
          ['URL', (r) => r.url],
          ['TENANT', (r) => r.tenant],
        ],
      ),
    );
    return 0;
  };
  const config: Record<string, Command> = {
    'get-profiles': {
      usage: 'strata config get-profiles                        the saved profiles (no tokens)',
      run: list,
    },
    'use-profile': {
      usage: 'strata config use-profile <name>                  make a saved profile current',
      async run(ctx) {
        const name = arg(ctx, 0, 'a profile name');
        await save((c) => {
          if (!(name in c.profiles)) throw new UsageError(`no profile ${name}`);
          c['current-profile'] = name;
        });
        ctx.print(`switched to profile ${name}`);
        return 0;
      },
    },
    'current-profile': {
      usage: "strata config current-profile                    the current profile's name",
      async run(ctx) {
        const current = (await readConfigFile(path))['current-profile'];
        if (!current) throw new UsageError('no current profile; run strata login');
        ctx.print(current);
        return 0;
      },
    },
    'delete-profile': {
      usage: 'strata config delete-profile <name>',
      async run(ctx) {
        const name = arg(ctx, 0, 'a profile name');
        await save((c) => {
          if (!(name in c.profiles)) throw new UsageError(`no profile ${name}`);
          delete c.profiles[name];
          if (c['current-profile'] === name) delete c['current-profile'];
        });
        ctx.print(`deleted profile ${name}`);
        return 0;
      },
    },
  };
  return { login, config };
}
