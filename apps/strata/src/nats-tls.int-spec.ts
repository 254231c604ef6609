import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type NatsBus } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { startNatsServer, type RunningNatsServer } from '@strata/devstack';
import { SERVICE_REGISTRY } from '@strata/platform';
import { parsePlatformConfig, startServices, type RunningServices } from '@strata/service-kit';

jest.setTimeout(60_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A CA, and a certificate it signs for `name` (valid for 127.0.0.1 and localhost), made with openssl. */
function makeCertificates(dir: string): {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  strangerCa: string;
} {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    );
    return join(dir, `${name}.pem`);
  };
  const sign = (name: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
    return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  };
  return {
    ca: ca('ca'),
    server: sign(
      'server',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    ),
    client: sign('client', 'extendedKeyUsage=clientAuth\n'),
    strangerCa: ca('stranger'),
  };
}

/**
 * TLS between services and NATS: devstack's nats-server with a `tls {}` block (mutual TLS, the
 * CA verifies clients), and a service configured through NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY.
 */
describe('NATS over TLS', () => {
  let dir: string;
  let nats: RunningNatsServer;
  let certs: ReturnType<typeof makeCertificates>;
  let service: RunningServices | undefined;
  let client: NatsBus | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-nats-tls-'));
    certs = makeCertificates(dir);
    nats = await startNatsServer({
      dataDir: join(dir, 'nats'),
      tls: { certFile: certs.server.cert, keyFile: certs.server.key, caFile: certs.ca },
    });
  });

  afterAll(async () => {
    await client?.drain();
    await service?.stop();
    await nats?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a service with the certificates from its environment and answers over TLS', async () => {
    const config = parsePlatformConfig({
      NATS_URL: nats.url,
      NATS_CREDENTIALS_DIR: nats.credentialsDir,
      NATS_TLS_CA: certs.ca,
      NATS_TLS_CERT: certs.client.cert,
      NATS_TLS_KEY: certs.client.key,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    service = await startServices({
      config,
      services: [SERVICE_REGISTRY.compactor!],
      handleSignals: false,
      healthHttp: false,
    });
    client = await connectBus({
      url: nats.url,
      name: 'tls-spec',
      logger: quiet,
      ...nats.login('gateway'),
      tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key },
    });
    await expect(client.request(Subjects.serviceInfo('compactor'), {})).resolves.toMatchObject({
      service: 'compactor',
    });
    expect(client.connection.info?.tls_required).toBe(true);
  });

  it('refuses a client without a certificate, one that does not trust the server, and a plain connection', async () => {
    const login = nats.login('gateway');
    // The server ends the handshake of a client without a certificate; the client sees no INFO in time.
    await expect(
      connectBus({
        url: nats.url,
        name: 'no-cert',
        logger: quiet,
        ...login,
        connectTimeoutMs: 2_000,
        tls: { caFile: certs.ca },
      }),
    ).rejects.toMatchObject({ code: 'unavailable' });
    await expect(
      connectBus({
        url: nats.url,
        name: 'stranger',
        logger: quiet,
        ...login,
        tls: { caFile: certs.strangerCa, certFile: certs.client.cert, keyFile: certs.client.key },
      }),
    ).rejects.toThrow(/certificate/i);
    await expect(
      connectBus({ url: nats.url, name: 'plain', logger: quiet, ...login }),
    ).rejects.toThrow(/certificate|tls|TLS/);
  });

  it('refuses a client certificate without its key in the configuration', () => {
    expect(() => parsePlatformConfig({ NATS_TLS_CERT: certs.client.cert })).toThrow(
      /NATS_TLS_CERT and NATS_TLS_KEY/,
    );
  });
});
