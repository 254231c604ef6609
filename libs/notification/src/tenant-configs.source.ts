import { randomUUID } from 'node:crypto';
import { mapSecrets } from '@strata/alertmanager';
import { BusClient, type Bus, type Stoppable } from '@strata/bus';
import {
  type AlertmanagerConfigView,
  type RelayedEvent,
  StrataError,
  Streams,
  Subjects,
} from '@strata/contracts';
import { openStoredSecret, type SecretKeyring } from '@strata/service-kit';

/** A tenant's configuration as the control plane last said (null: the tenant has none). */
export interface TenantConfig {
  readonly alertmanagerConfig: string;
  readonly templateFiles: Readonly<Record<string, string>>;
  /** Strata's extensions document (empty: none). */
  readonly notificationManager: string;
  /** The control plane's stream version; 0 when the tenant never had a configuration. */
  readonly version: number;
}

/**
 * Tenants' Alertmanager configurations from the control plane: asked on demand, and every change
 * announced as it is relayed (`AlertmanagerConfigured`, `AlertmanagerConfigDeleted`), so a replica
 * reloads without being asked. After a gap in the feed, `onGap` lets the caller ask again.
 */
export class TenantConfigsSource {
  private following: Stoppable | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly keyring: SecretKeyring | null = null,
    private readonly timeoutMs = 5_000,
  ) {}

  /** The document with its sealed credentials opened; notification is their only reader. */
  private open(tenantId: string, yamlText: string): string {
    return mapSecrets(yamlText, (value) =>
      openStoredSecret(
        this.keyring,
        value,
        tenantId,
        () =>
          new StrataError(
            'unavailable',
            `tenant ${tenantId}'s Alertmanager credentials are sealed, and notification has no STRATA_SECRET_KEY`,
          ),
      ),
    );
  }

  /** The tenant's configuration now, or null when it has none. */
  async get(tenantId: string): Promise<TenantConfig | null> {
    try {
      const view = (await new BusClient(this.bus).ask(
        Subjects.controlQuery,
        {
          query: { type: 'GetAlertmanagerConfig', tenantId },
          requestId: `notification-${randomUUID()}`,
        },
        { timeoutMs: this.timeoutMs },
      )) as AlertmanagerConfigView;
      return {
        alertmanagerConfig: this.open(tenantId, view.alertmanagerConfig),
        templateFiles: view.templateFiles,
        notificationManager: this.open(tenantId, view.notificationManager ?? ''),
        version: view.version,
      };
    } catch (error) {
      if (error instanceof StrataError && error.code === 'not_found') return null;
      throw error;
    }
  }

  /** Follows configuration changes from now on. */
  follow(
    onChange: (tenantId: string, config: TenantConfig | null, version: number) => void,
    onGap: () => void,
  ): void {
    this.following ??= this.bus.follow(
      Streams.controlEvents.name,
      (m) => {
        const e = m.json<RelayedEvent>();
        if (e.type === 'AlertmanagerConfigured') {
          let opened: Pick<TenantConfig, 'alertmanagerConfig' | 'notificationManager'>;
          const sealed = e.data as {
            tenantId: string;
            alertmanagerConfig: string;
            templateFiles: TenantConfig['templateFiles'];
            notificationManager?: string;
          };
          try {
            opened = {
              alertmanagerConfig: this.open(sealed.tenantId, sealed.alertmanagerConfig),
              // Events of earlier builds lack it; the parser moves their extensions out.
              notificationManager: this.open(sealed.tenantId, sealed.notificationManager ?? ''),
            };
          } catch {
            // Asking again surfaces the reason where reads are reported.
            onGap();
            return;
          }
          onChange(
            sealed.tenantId,
            { ...opened, templateFiles: sealed.templateFiles, version: e.version },
            e.version,
          );
        } else if (e.type === 'AlertmanagerConfigDeleted') {
          onChange((e.data as { tenantId: string }).tenantId, null, e.version);
        }
      },
      { onGap },
    );
  }

  /** Stops following. */
  async stop(): Promise<void> {
    await this.following?.stop();
    this.following = null;
  }
}
