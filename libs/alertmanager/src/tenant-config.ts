import { parseAlertmanagerConfig } from './config';
import { type ConfigProblem, InvalidAlertmanagerConfigError } from './config-errors';
import { legacyExtensionPaths } from './legacy-config';
import { checkTemplateFiles } from './template-funcs';

/**
 * Every problem of a tenant's upload (Mimir's `alertmanager_config`, `template_files` and Strata's
 * `notification_manager` extensions document), template files first; empty when the upload is
 * valid. The Alertmanager YAML must be one `amtool check-config` accepts: Strata's extensions in
 * it are refused, with where they belong.
 */
export function checkTenantConfig(
  alertmanagerConfig: string,
  templateFiles: Readonly<Record<string, string>>,
  notificationManager = '',
): ConfigProblem[] {
  const problems = checkTemplateFiles(templateFiles);
  for (const path of legacyExtensionPaths(alertmanagerConfig))
    problems.push({
      path,
      reason:
        'field not found (a Strata extension: it belongs in the notification_manager document beside alertmanager_config)',
    });
  try {
    parseAlertmanagerConfig(alertmanagerConfig, notificationManager);
  } catch (e) {
    if (!(e instanceof InvalidAlertmanagerConfigError)) throw e;
    problems.push(...e.problems);
  }
  return problems;
}
