import { Module } from '@nestjs/common';
import { parsePlatformConfig } from '../config/platform-config';
import { defineService, selectServices } from './define-service';

@Module({})
class RouterModule {}

describe('defineService', () => {
  const config = parsePlatformConfig({});

  it('accepts a module class, a dynamic module or a factory of either', () => {
    expect(defineService('router', RouterModule).module(config)).toBe(RouterModule);
    const dynamic = { module: RouterModule, providers: [] };
    expect(defineService('router', dynamic).module(config)).toBe(dynamic);
    expect(
      defineService('router', (c) => ({ module: RouterModule, global: c.HTTP_PORT > 0 })).module(
        config,
      ),
    ).toEqual({ module: RouterModule, global: true });
  });

  it('selects definitions in target order and names the unregistered ones', () => {
    const registry = {
      router: defineService('router', RouterModule),
      ingester: defineService('ingester', RouterModule),
    };
    expect(selectServices(registry, ['ingester', 'router']).map((d) => d.name)).toEqual([
      'ingester',
      'router',
    ]);
    expect(() => selectServices(registry, ['router', 'gateway'])).toThrow(
      /no module registered for gateway; registered: router, ingester/,
    );
  });
});
