import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { type Bus } from '../bus';
import { type KvProvider } from '../kv';
import { BUS, BusModule, KV } from './bus.module';

@Injectable()
class Echo {
  constructor(@Inject(BUS) readonly bus: Bus) {}
}

@Module({ providers: [Echo] })
class FeatureModule {}

describe('BusModule', () => {
  it('provides BUS and KV to feature modules and drains on shutdown', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        BusModule.forRoot({
          url: testServices().natsUrl,
          ...testNatsLogin('admin'),
          name: 'nest-spec',
        }),
        FeatureModule,
      ],
    }).compile();
    const app = await ref.init();
    const bus = app.get(Echo).bus;
    expect(app.get<KvProvider>(KV)).toBe(bus);
    const subject = uniqueName('test.nest');
    bus.serve(subject, null, async (n: number) => n * 3);
    await expect(bus.request(subject, 3)).resolves.toBe(9);
    await app.close();
    expect(bus.isConnected()).toBe(false);
  });

  it('connects with options from forRootAsync', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        BusModule.forRootAsync({
          useFactory: () => ({
            url: testServices().natsUrl,
            ...testNatsLogin('admin'),
            name: 'nest-async',
          }),
        }),
      ],
    }).compile();
    const app = await ref.init();
    expect(app.get<Bus>(BUS).isConnected()).toBe(true);
    await app.close();
  });
});
