import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import { type PlatformConfig } from './platform-config';

/** Injection token of the process's `PlatformConfig`. */
export const PLATFORM_CONFIG = Symbol.for('@strata/platform-config');

/** Injects the process's `PlatformConfig`. */
export const InjectPlatformConfig = (): ParameterDecorator => Inject(PLATFORM_CONFIG);

/** Makes the already validated config injectable everywhere. */
@Global()
@Module({})
export class PlatformConfigModule {
  /** Provides `config` as `PLATFORM_CONFIG`. */
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformConfigModule,
      providers: [{ provide: PLATFORM_CONFIG, useValue: config }],
      exports: [PLATFORM_CONFIG],
    };
  }
}
