import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsConnectionOptions } from './nats-connection';
import { InvalidConfigError, parsePlatformConfig } from './platform-config';

describe('natsConnectionOptions', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-nats-creds-'));
    writeFileSync(join(dir, 'router.password'), 'router-secret\n');
    writeFileSync(join(dir, 'monolith.password'), 'monolith-secret\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects a one-service process as that service, with its password from the credentials directory', () => {
    const config = parsePlatformConfig({ NATS_CREDENTIALS_DIR: dir, STRATA_TARGET: 'router' });
    expect(natsConnectionOptions(config)).toEqual({
      user: 'router',
      password: 'router-secret',
      inboxPrefix: '_INBOX.router',
    });
  });

  it('connects a process of several services as the monolith, whatever the environment names as target', () => {
    const config = parsePlatformConfig({ NATS_CREDENTIALS_DIR: dir, STRATA_TARGET: 'query' });
    expect(natsConnectionOptions(config, ['router', 'ingester'])).toMatchObject({
      user: 'monolith',
      password: 'monolith-secret',
      inboxPrefix: '_INBOX.monolith',
    });
  });

  it('prefers NATS_USER and NATS_PASSWORD, and connects without credentials when none are configured', () => {
    const config = parsePlatformConfig({
      NATS_USER: 'ops',
      NATS_PASSWORD: 'pw',
      NATS_CREDENTIALS_DIR: dir,
    });
    expect(natsConnectionOptions(config)).toEqual({
      user: 'ops',
      password: 'pw',
      inboxPrefix: '_INBOX.ops',
    });
    expect(natsConnectionOptions(parsePlatformConfig({ STRATA_TARGET: 'ingester' }))).toEqual({
      inboxPrefix: '_INBOX.ingester',
    });
  });

  it('names the identity whose password is missing', () => {
    const config = parsePlatformConfig({ NATS_CREDENTIALS_DIR: dir, STRATA_TARGET: 'gateway' });
    expect(() => natsConnectionOptions(config)).toThrow(InvalidConfigError);
    expect(() => natsConnectionOptions(config)).toThrow(/no password for gateway/);
  });

  it('passes the TLS files', () => {
    const config = parsePlatformConfig({
      NATS_TLS_CA: '/ca.pem',
      NATS_TLS_CERT: '/c.pem',
      NATS_TLS_KEY: '/c.key',
      STRATA_TARGET: 'store',
    });
    expect(natsConnectionOptions(config).tls).toEqual({
      caFile: '/ca.pem',
      certFile: '/c.pem',
      keyFile: '/c.key',
    });
  });
});
