import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import { NM_CHANNEL_KEYS } from './nm-channels';

/** The top-level key under which earlier builds kept notification-manager's objects in the Alertmanager YAML. */
const LEGACY_NM_KEY = 'notification_manager';

/** A tenant's configuration in its two documents: Alertmanager's own, and Strata's extensions. */
export interface SplitConfig {
  /** Alertmanager's YAML, as `amtool check-config` takes it. */
  readonly alertmanagerConfig: string;
  /** Strata's extensions (notification-manager's objects, extra channels), YAML; empty when none. */
  readonly notificationManager: string;
}

/** Where Strata's extensions sit inside an Alertmanager YAML (earlier builds kept them there). */
export function legacyExtensionPaths(alertmanagerConfig: string): string[] {
  const doc = parseDocument(alertmanagerConfig);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const paths: string[] = [];
  if (doc.contents.has(LEGACY_NM_KEY)) paths.push(LEGACY_NM_KEY);
  const receivers = doc.contents.get('receivers');
  if (isSeq(receivers))
    receivers.items.forEach((r, i) => {
      if (!isMap(r)) return;
      for (const key of NM_CHANNEL_KEYS) if (r.has(key)) paths.push(`receivers[${i}].${key}`);
    });
  return paths;
}

/**
 * Moves Strata's extensions out of an Alertmanager YAML written by an earlier build (a top-level
 * `notification_manager`, receivers' `dingtalk_configs`/`feishu_configs`/`sms_configs`) into the
 * extensions document (`alertmanager_receivers` holds the channels by receiver name), so stored
 * configurations read as the current ones. A configuration without them comes back unchanged.
 */
export function splitLegacyConfig(
  alertmanagerConfig: string,
  notificationManager = '',
): SplitConfig {
  if (legacyExtensionPaths(alertmanagerConfig).length === 0)
    return { alertmanagerConfig, notificationManager };
  const doc = parseDocument(alertmanagerConfig);
  const top = doc.contents;
  if (!isMap(top)) return { alertmanagerConfig, notificationManager };
  const js = doc.toJS() as Record<string, unknown>;
  const given = (parseDocument(notificationManager).toJS() ?? {}) as Record<string, unknown>;
  const nm: Record<string, unknown> = {
    ...((js[LEGACY_NM_KEY] as Record<string, unknown> | null | undefined) ?? {}),
    ...given,
  };
  top.delete(LEGACY_NM_KEY);
  const channels: Record<string, unknown>[] = [];
  const receivers = top.get('receivers');
  const plain = (js.receivers ?? []) as Record<string, unknown>[];
  if (isSeq(receivers))
    receivers.items.forEach((r, i) => {
      if (!isMap(r)) return;
      const moved: Record<string, unknown> = {};
      for (const key of NM_CHANNEL_KEYS)
        if (r.has(key)) {
          moved[key] = plain[i][key];
          r.delete(key);
        }
      if (Object.keys(moved).length > 0) channels.push({ name: plain[i].name, ...moved });
    });
  if (channels.length > 0)
    nm.alertmanager_receivers = [
      ...((nm.alertmanager_receivers as unknown[] | undefined) ?? []),
      ...channels,
    ];
  return { alertmanagerConfig: doc.toString(), notificationManager: stringify(nm) };
}
