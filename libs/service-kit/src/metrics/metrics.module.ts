import { Global, Module, type DynamicModule } from '@nestjs/common';
import { createMetricsRegistry, StrataMetrics } from './metrics';

/** Provides the process's single `StrataMetrics` (one registry, whatever the number of services). */
@Global()
@Module({})
export class MetricsModule {
  /** Creates the registry with `defaultLabels` on every series. */
  static forRoot(defaultLabels: Record<string, string> = {}): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        {
          provide: StrataMetrics,
          useFactory: () => new StrataMetrics(createMetricsRegistry(defaultLabels)),
        },
      ],
      exports: [StrataMetrics],
    };
  }
}
