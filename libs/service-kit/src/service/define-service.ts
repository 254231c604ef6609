import { type DynamicModule, type Type } from '@nestjs/common';
import { type ServiceName } from '@strata/contracts';
import { type PlatformConfig } from '../config/platform-config';

/** A Nest module, or a factory that builds one from the validated config. */
export type ServiceModule = Type<unknown> | DynamicModule;

/** How a service joins a process: its name and the feature module that implements it. */
export interface ServiceDefinition {
  readonly name: ServiceName;
  module(config: PlatformConfig): ServiceModule;
}

/** Declares a service so bootstraps can compose it by name. */
export function defineService(
  name: ServiceName,
  module: ServiceModule | ((config: PlatformConfig) => ServiceModule),
): ServiceDefinition {
  const factory =
    typeof module === 'function' && !isModuleClass(module)
      ? (module as (config: PlatformConfig) => ServiceModule)
      : () => module as ServiceModule;
  return Object.freeze({ name, module: factory });
}

/** Nest modules are classes; factories are plain functions (no prototype `constructor` of their own). */
function isModuleClass(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** Services by name; a bootstrap picks the ones its targets name. */
export type ServiceRegistry = Partial<Record<ServiceName, ServiceDefinition>>;

/** The definitions for `targets`, in order; a target without a definition is an error naming it. */
export function selectServices(
  registry: ServiceRegistry,
  targets: readonly ServiceName[],
): ServiceDefinition[] {
  const missing = targets.filter((t) => !registry[t]);
  if (missing.length > 0) {
    throw new Error(
      `no module registered for ${missing.join(', ')}; registered: ${Object.keys(registry).join(', ') || '(none)'}`,
    );
  }
  return targets.map((t) => registry[t] as ServiceDefinition);
}
