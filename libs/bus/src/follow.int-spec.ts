import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus } from './connect';
import { type NatsBus } from './nats-bus';

describe('following a stream', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({ url: testServices().natsUrl, ...testNatsLogin('admin'), name: 'fs' });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('starts where `from` says: the whole stream, or after what the follower already has', async () => {
    const name = uniqueName('FOLLOW').toUpperCase();
    const subject = `spec.${name}.x`;
    await bus.ensureStream({ name, subjects: [`spec.${name}.>`] });
    for (const n of [1, 2, 3]) await bus.publish(subject, { n });
    const seen = async (from: number, until: number): Promise<number[]> => {
      const got: number[] = [];
      let done!: () => void;
      const enough = new Promise<void>((r) => (done = r));
      const follower = bus.follow(
        name,
        (m) => {
          got.push(m.json<{ n: number }>().n);
          if (got.length === until) done();
        },
        { from: () => from, onGap: () => undefined },
      );
      await enough;
      await follower.stop();
      return got;
    };
    expect(await seen(1, 3)).toEqual([1, 2, 3]);
    expect(await seen(3, 1)).toEqual([3]);
  });
});
