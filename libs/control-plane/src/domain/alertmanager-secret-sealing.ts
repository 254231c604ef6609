import { mapSecrets } from '@strata/alertmanager';
import {
  SECRET_MASK,
  type AlertmanagerConfigEvent,
  type AlertmanagerConfigSpec,
} from '@strata/contracts';
import { SecretKeyring } from '@strata/service-kit';

/** The credentials of a document in document order (sealed or not). */
function secretsIn(yamlText: string | undefined): string[] {
  const found: string[] = [];
  if (yamlText)
    mapSecrets(yamlText, (value) => {
      found.push(value);
      return value;
    });
  return found;
}

/**
 * The decided events with each credential of the Alertmanager and notification-manager documents
 * sealed for the tenant, as pipeline credentials are (validation ran on the clear values before).
 * A credential equal to the one stored at the same place (else anywhere in the document) keeps
 * that stored sealed value, so a configuration written again unchanged appends nothing. The mask
 * is kept as written. Without a keyring they are stored as given, as before sealing existed
 * (notification configurations predate the key).
 */
export function sealAlertmanagerSecrets(
  events: AlertmanagerConfigEvent[],
  previous: AlertmanagerConfigSpec | null,
  keyring: SecretKeyring | null,
  tenantId: string,
): AlertmanagerConfigEvent[] {
  if (!keyring) return events;
  const sealDocument = (yamlText: string, storedText: string | undefined) => {
    const atPlace = secretsIn(storedText);
    const stored = atPlace.filter((s) => SecretKeyring.isSealed(s));
    let place = 0;
    return mapSecrets(yamlText, (value) => {
      const same = atPlace[place++];
      if (value === SECRET_MASK || SecretKeyring.isSealed(value)) return value;
      if (same !== undefined && keyring.holds(same, value, tenantId)) return same;
      return stored.find((s) => keyring.holds(s, value, tenantId)) ?? keyring.seal(value, tenantId);
    });
  };
  return events.flatMap((event): AlertmanagerConfigEvent[] => {
    if (event.type !== 'AlertmanagerConfigured') return [event];
    const { notificationManager } = event.data;
    const config = {
      alertmanagerConfig: sealDocument(event.data.alertmanagerConfig, previous?.alertmanagerConfig),
      templateFiles: event.data.templateFiles,
      ...(notificationManager
        ? { notificationManager: sealDocument(notificationManager, previous?.notificationManager) }
        : {}),
    };
    // The decider compared clear values with sealed ones; compare again as stored.
    if (previous !== null && JSON.stringify(previous) === JSON.stringify(config)) return [];
    return [{ type: event.type, data: { tenantId: event.data.tenantId, ...config } }];
  });
}
