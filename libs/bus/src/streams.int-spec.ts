import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus } from './connect';
import { PublishFailedError } from './errors';
import { type NatsBus } from './nats-bus';

describe('streams and publish', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'streams-spec',
    });
  });
  afterEach(async () => {
    await bus.drain();
  });

  async function streamInfo(name: string) {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    return (await jetstreamManager(bus.connection)).streams.info(name);
  }

  it('creates a stream, and updates it when declared again with other limits', async () => {
    const name = uniqueName('S');
    const subject = uniqueName('test.s');
    await bus.ensureStream({ name, subjects: [`${subject}.>`], maxAgeMs: 60_000 });
    await bus.ensureStream({ name, subjects: [`${subject}.>`], maxAgeMs: 60_000 });
    expect((await streamInfo(name)).config.max_age).toBe(60_000 * 1e6);
    await bus.ensureStream({
      name,
      subjects: [`${subject}.>`, `${subject}x.>`],
      maxAgeMs: 120_000,
    });
    const info = await streamInfo(name);
    expect(info.config.max_age).toBe(120_000 * 1e6);
    expect(info.config.subjects).toEqual([`${subject}.>`, `${subject}x.>`]);
  });

  it('survives concurrent declarations of the same stream', async () => {
    const name = uniqueName('S');
    const subject = uniqueName('test.s');
    await Promise.all(
      Array.from({ length: 5 }, () => bus.ensureStream({ name, subjects: [`${subject}.>`] })),
    );
    expect((await streamInfo(name)).config.name).toBe(name);
  });

  it('stores a message once when the same msgId is published twice', async () => {
    const name = uniqueName('S');
    const subject = uniqueName('test.d');
    await bus.ensureStream({ name, subjects: [`${subject}.>`] });
    const first = await bus.publish(`${subject}.a`, { sample: 1 }, { msgId: 'write-1' });
    const again = await bus.publish(`${subject}.a`, { sample: 1 }, { msgId: 'write-1' });
    expect(first).toEqual({ stream: name, seq: 1, duplicate: false });
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(1);
    const other = await bus.publish(`${subject}.a`, new Uint8Array([1, 2, 3]), {
      msgId: 'write-2',
    });
    expect(other).toEqual({ stream: name, seq: 2, duplicate: false });
    expect((await streamInfo(name)).state.messages).toBe(2);
  });

  it('fails with a typed error when no stream captures the subject', async () => {
    const error = await bus.publish(uniqueName('test.nostream'), { x: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishFailedError);
  });
});
