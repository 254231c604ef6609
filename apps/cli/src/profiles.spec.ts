import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMatcher } from './platform/alerting';
import { render } from './output';
import {
  type CliConfigFile,
  configPath,
  readConfigFile,
  resolveTarget,
  writeConfigFile,
} from './profiles';

const config: CliConfigFile = {
  'current-profile': 'dev',
  profiles: {
    dev: { url: 'http://dev:8080', token: 'dev-token', tenant: 'acme' },
    prod: { url: 'https://prod', token: 'prod-token' },
  },
};

describe('profiles', () => {
  it('finds the file in STRATA_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configPath({ STRATA_CONFIG: '/x/c.yaml', XDG_CONFIG_HOME: '/xdg' })).toBe('/x/c.yaml');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe(
      '/xdg/strata/config.yaml',
    );
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/strata/config.yaml');
  });

  it('takes flags over --profile over the environment over the current profile', () => {
    const env = { STRATA_URL: 'http://env', STRATA_TOKEN: 'env-token' };
    expect(resolveTarget({}, {}, config)).toEqual({
      url: 'http://dev:8080',
      token: 'dev-token',
      tenant: 'acme',
    });
    expect(resolveTarget({}, env, config)).toEqual({
      url: 'http://env',
      token: 'env-token',
      tenant: 'acme',
    });
    expect(resolveTarget({ profile: 'prod' }, env, config)).toEqual({
      url: 'https://prod',
      token: 'prod-token',
    });
    expect(resolveTarget({ profile: 'prod', token: 't', tenant: 'b' }, env, config)).toEqual({
      url: 'https://prod',
      token: 't',
      tenant: 'b',
    });
    expect(() => resolveTarget({ profile: 'nope' }, {}, config)).toThrow(/no profile nope/);
    expect(() => resolveTarget({}, {}, { profiles: {} })).toThrow(/strata login/);
  });

  it('writes the file with mode 0600 even over a wider one, and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-profiles-'));
    const path = join(dir, 'strata', 'config.yaml');
    await writeConfigFile(path, { profiles: {} });
    await writeFile(path, 'profiles: {}\n', { mode: 0o644 });
    await writeConfigFile(path, config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'strata'))).mode & 0o777).toBe(0o700);
    expect(await readConfigFile(path)).toEqual(config);
    expect(await readFile(path, 'utf8')).toMatch(/^current-profile: dev\n/);
    expect(await readConfigFile(join(dir, 'missing.yaml'))).toEqual({ profiles: {} });
  });
});

describe('output and matchers', () => {
  it('prints a kubectl-style table, or the whole answer as JSON or YAML', () => {
    const data = { items: [{ id: 'a', n: 1 }], nextCursor: null };
    type Row = { id: string; n: number };
    const columns = [
      ['ID', (r: Row) => r.id],
      ['N', (r: Row) => r.n],
    ] as const;
    expect(render('table', data, data.items, columns)).toBe('ID  N\na   1');
    expect(JSON.parse(render('json', data, data.items, columns))).toEqual(data);
    expect(render('yaml', data, data.items, columns)).toBe(
      'items:\n  - id: a\n    n: 1\nnextCursor: null',
    );
    expect(render('table', data, [], columns)).toBe('No resources found.');
  });

  it("reads amtool's matcher forms", () => {
    expect(parseMatcher('alertname=Disk')).toEqual({
      name: 'alertname',
      value: 'Disk',
      isRegex: false,
      isEqual: true,
    });
    expect(parseMatcher('job!~"api|web"')).toEqual({
      name: 'job',
      value: 'api|web',
      isRegex: true,
      isEqual: false,
    });
    expect(() => parseMatcher('=x')).toThrow(/is not name=value/);
  });
});
