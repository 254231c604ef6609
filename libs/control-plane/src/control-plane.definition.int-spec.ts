import { connectBus, type NatsBus } from '@strata/bus';
import { Subjects, type ChainVerification, type ServiceHealth } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { parsePlatformConfig, startServices } from '@strata/service-kit';
import { freshDatabase, testNatsLogin, testServices, type FreshDatabase } from '@strata/testing';
import { controlPlaneService } from './control-plane.definition';

jest.setTimeout(60_000);

describe('controlPlaneService in a service process', () => {
  let db: FreshDatabase;
  let client: NatsBus;

  beforeAll(async () => {
    db = await freshDatabase('cp_process');
    client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'cp-process-spec',
    });
  });
  afterAll(async () => {
    await client.drain();
    await db.drop();
  });

  it('starts from the platform config, answers health and control queries, and stops cleanly', async () => {
    const config = parsePlatformConfig(
      {
        NATS_URL: testServices().natsUrl,
        NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
        DATABASE_URL: db.url,
        HEALTH_PORT: String(await freePort()),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      { STRATA_TARGET: 'control-plane' },
    );
    const running = await startServices({
      config,
      services: [controlPlaneService],
      handleSignals: false,
    });
    try {
      await expect(
        client.request<object, ServiceHealth>(Subjects.serviceHealth('control-plane'), {}),
      ).resolves.toMatchObject({
        status: 'ok',
        checks: { 'control-plane-postgres': { ok: true }, 'control-plane-outbox': { ok: true } },
      });
      const chain = await client.request<object, ChainVerification>(Subjects.controlQuery, {
        query: { type: 'VerifyAuditChain' },
        requestId: 'r',
      });
      expect(chain).toMatchObject({ ok: true, checkedEvents: 0 });
    } finally {
      await running.stop();
    }
  });
});
