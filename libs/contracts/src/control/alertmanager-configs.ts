import { z } from 'zod';

/**
 * A tenant's Alertmanager configuration as Mimir's config API takes it: the Alertmanager YAML (one
 * `amtool check-config` accepts) and its template files by name, plus Strata's extensions
 * document beside them (`notificationManager`, YAML: notification-manager's receivers, configs,
 * tenants, routers and silences, and channels Alertmanager lacks added to its receivers).
 */
export const AlertmanagerConfigSpec = z
  .object({
    alertmanagerConfig: z.string().max(1_000_000),
    templateFiles: z.record(z.string().min(1).max(200), z.string().max(1_000_000)).default({}),
    notificationManager: z.string().max(1_000_000).optional(),
  })
  .strict();
export type AlertmanagerConfigSpec = z.infer<typeof AlertmanagerConfigSpec>;

/** A tenant's configuration as the control plane keeps it (reads through the gateway mask credentials). */
export interface AlertmanagerConfigView extends AlertmanagerConfigSpec {
  tenantId: string;
  version: number;
  updatedAt: string;
}

/** Events of the tenant Alertmanager configuration aggregate (stream `alertmanager-<tenant>`). */
export type AlertmanagerConfigEvent =
  | {
      type: 'AlertmanagerConfigured';
      data: {
        tenantId: string;
        alertmanagerConfig: string;
        templateFiles: Record<string, string>;
        /** Absent in events of earlier builds, whose extensions sat inside `alertmanagerConfig`. */
        notificationManager?: string;
      };
    }
  | { type: 'AlertmanagerConfigDeleted'; data: { tenantId: string } };
