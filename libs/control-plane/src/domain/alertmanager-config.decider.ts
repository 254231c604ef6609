import {
  InvalidAlertmanagerConfigError,
  checkTenantConfig,
  splitLegacyConfig,
} from '@strata/alertmanager';
import {
  StrataError,
  type AlertmanagerConfigEvent,
  type AlertmanagerConfigSpec,
  type ControlCommand,
} from '@strata/contracts';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** Commands of a tenant's Alertmanager configuration. */
export type AlertmanagerConfigCommand = Extract<
  ControlCommand,
  { type: 'ConfigureAlertmanager' | 'DeleteAlertmanagerConfig' }
>;

/** The tenant's configuration (null: none, the tenant falls back to Mimir's empty receiver), with the tenant's state. */
export interface AlertmanagerConfigState {
  config: AlertmanagerConfigSpec | null;
  tenant: TenantState | null;
}

/** A tenant's Alertmanager configuration, validated as `amtool check-config` does before anything is appended. */
export const alertmanagerConfigDecider: Decider<
  AlertmanagerConfigCommand,
  AlertmanagerConfigEvent,
  AlertmanagerConfigState
> = {
  decide(command, state) {
    assertTenantLive(command.tenantId, state.tenant ?? { status: 'none', displayName: '' });
    if (command.type === 'DeleteAlertmanagerConfig') {
      if (state.config === null)
        throw new StrataError('not_found', 'the tenant has no Alertmanager configuration');
      return [{ type: 'AlertmanagerConfigDeleted', data: { tenantId: command.tenantId } }];
    }
    const { alertmanagerConfig, templateFiles, notificationManager } = command.config;
    const problems = checkTenantConfig(alertmanagerConfig, templateFiles, notificationManager);
    if (problems.length > 0)
      throw new StrataError(
        'validation_failed',
        `invalid Alertmanager configuration: ${new InvalidAlertmanagerConfigError(problems).message}`,
        problems.map((p) => ({ path: p.path || '(root)', message: p.reason })),
        { reason: 'invalid_alertmanager_config' },
      );
    const config = {
      alertmanagerConfig,
      templateFiles,
      ...(notificationManager ? { notificationManager } : {}),
    };
    if (state.config !== null && JSON.stringify(state.config) === JSON.stringify(config)) return [];
    return [{ type: 'AlertmanagerConfigured', data: { tenantId: command.tenantId, ...config } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'AlertmanagerConfigured': {
        // Earlier builds kept Strata's extensions inside the Alertmanager YAML: read them moved out.
        const split = splitLegacyConfig(
          event.data.alertmanagerConfig,
          event.data.notificationManager,
        );
        return {
          ...state,
          config: {
            alertmanagerConfig: split.alertmanagerConfig,
            templateFiles: event.data.templateFiles,
            ...(split.notificationManager !== ''
              ? { notificationManager: split.notificationManager }
              : {}),
          },
        };
      }
      case 'AlertmanagerConfigDeleted':
        return { ...state, config: null };
    }
  },
  initialState: () => ({ config: null, tenant: null }),
};
