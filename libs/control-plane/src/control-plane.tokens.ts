import { type SecretKeyring } from '@strata/service-kit';
import { type Bus } from '@strata/bus';
import { type ProjectionRunnerOptions } from '@strata/eventstore';

/** The part of the Bus the control plane uses itself: relaying its events. */
export type ControlPlaneBus = Pick<Bus, 'publish' | 'ensureStream'>;

/** Options of `ControlPlaneModule.forRoot`. */
export interface ControlPlaneModuleOptions {
  /** Postgres URL of the event store; migrations run against it at start. */
  databaseUrl: string;
  /** Injection token of the Bus; libs/bus's `BUS` (provided by `BusModule`) when omitted. */
  busToken?: string | symbol;
  /** Connections in the Postgres pool (default 10). */
  poolSize?: number;
  /** Outbox relay tuning. */
  relay?: { batchSize?: number; pollIntervalMs?: number; maxBackoffMs?: number };
  /** Projection runner tuning. */
  projections?: Pick<ProjectionRunnerOptions, 'batchSize' | 'pollIntervalMs'>;
  /** Most rules a rule group may hold (`STRATA_RULER_MAX_RULES_PER_GROUP`, default 40; 0: no limit). */
  maxRulesPerGroup?: number;
  /** Seals sinks' credentials before they are stored (`STRATA_SECRET_KEY`); none: they are refused. */
  secretKeyring?: SecretKeyring | null;
}

/** Token of the module's options. */
export const CONTROL_PLANE_OPTIONS = Symbol('CONTROL_PLANE_OPTIONS');
