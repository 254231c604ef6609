import { Injectable } from '@nestjs/common';
import { maskSecrets } from '@strata/alertmanager';
import {
  AlertmanagerConfigSpec,
  type AlertmanagerConfigView,
  type CommandAccepted,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

/**
 * A tenant's Alertmanager configuration, kept by the control plane (validated there as
 * `amtool check-config` does, audited, replayable); every read masks receivers' credentials.
 */
@Injectable()
export class AlertmanagerConfigsService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** The configuration with credentials masked. */
  async get(caller: Caller, tenantId: string): Promise<AlertmanagerConfigView> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    const view = await this.controlPlane.query(
      { type: 'GetAlertmanagerConfig', tenantId },
      caller.requestId,
    );
    return {
      ...view,
      alertmanagerConfig: maskSecrets(view.alertmanagerConfig),
      ...(view.notificationManager !== undefined
        ? { notificationManager: maskSecrets(view.notificationManager) }
        : {}),
    };
  }

  /** Creates or replaces the configuration; an invalid one is refused with every path and reason. */
  async configure(
    caller: Caller,
    tenantId: string,
    body: unknown,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'admin');
    const config = validate(AlertmanagerConfigSpec, body, 'Alertmanager configuration');
    return this.controlPlane.command(
      { type: 'ConfigureAlertmanager', tenantId, config, expectedVersion },
      commandContextOf(caller),
    );
  }

  /** Deletes the configuration: the tenant falls back to keeping alerts without sending. */
  async delete(
    caller: Caller,
    tenantId: string,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'admin');
    return this.controlPlane.command(
      { type: 'DeleteAlertmanagerConfig', tenantId, expectedVersion },
      commandContextOf(caller),
    );
  }
}
