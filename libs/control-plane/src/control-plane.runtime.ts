import { Logger } from '@nestjs/common';
import { Streams } from '@strata/contracts';
import { EventNotifier, OutboxRelay, ProjectionRunner } from '@strata/eventstore';
import { openControlPlaneStore, type ControlPlaneStore } from './control-plane-store';
import { ControlPlaneService } from './control-plane.service';
import { type ControlPlaneBus, type ControlPlaneModuleOptions } from './control-plane.tokens';
import { controlPlaneProjection } from './projections/control-plane.projection';
import { eventRuleSetsProjection } from './projections/event-rule-sets.projection';

/** Everything the control plane runs in the background, started and stopped together. */
export class ControlPlaneRuntime {
  private static readonly logger = new Logger('ControlPlane');

  private constructor(
    readonly cp: ControlPlaneStore,
    readonly service: ControlPlaneService,
    readonly projections: ProjectionRunner,
    readonly relay: OutboxRelay,
    private readonly notifier: EventNotifier,
  ) {}

  /** Migrates, declares the events stream, then starts the notifier, the projections and the relay. */
  static async start(
    options: ControlPlaneModuleOptions,
    bus: ControlPlaneBus,
  ): Promise<ControlPlaneRuntime> {
    const log = ControlPlaneRuntime.logger;
    const cp = await openControlPlaneStore({
      databaseUrl: options.databaseUrl,
      migrate: true,
      poolSize: options.poolSize,
    });
    try {
      await bus.ensureStream({
        name: Streams.controlEvents.name,
        subjects: [...Streams.controlEvents.subjects],
        duplicateWindowMs: 120_000,
        storage: 'file',
      });
      const notifier = new EventNotifier(options.databaseUrl);
      await notifier.start();
      const projections = new ProjectionRunner(
        cp.dataSource,
        [controlPlaneProjection, eventRuleSetsProjection],
        {
          ...options.projections,
          notifier,
          onError: (name, error) => log.error(`projection ${name} failed: ${String(error)}`),
        },
      );
      const relay = new OutboxRelay(cp.dataSource, {
        ...options.relay,
        publisher: bus,
        notifier,
        onError: (error) => log.warn(`outbox relay will retry: ${String(error)}`),
      });
      projections.start();
      relay.start();
      const service = new ControlPlaneService(cp.dataSource, cp.store, {
        projections,
        maxRulesPerGroup: options.maxRulesPerGroup,
        secretKeyring: options.secretKeyring,
      });
      return new ControlPlaneRuntime(cp, service, projections, relay, notifier);
    } catch (error) {
      await cp.close();
      throw error;
    }
  }

  /** Stops the background work and closes the pool. */
  async stop(): Promise<void> {
    await this.relay.stop();
    await this.projections.stop();
    await this.notifier.stop();
    await this.cp.close();
  }
}
