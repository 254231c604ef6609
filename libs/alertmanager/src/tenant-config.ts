import { parseAlertmanagerConfig } from './config';
import { type ConfigProblem, InvalidAlertmanagerConfigError } from './config-errors';
import { checkTemplateFiles } from './template-funcs';

/**
 * Every problem of a tenant's upload (Mimir's `alertmanager_config` and `template_files`), as
 * `amtool check-config` reports them, template files first; empty when the upload is valid.
 */
export function checkTenantConfig(
  alertmanagerConfig: string,
  templateFiles: Readonly<Record<string, string>>,
): ConfigProblem[] {
  const problems = checkTemplateFiles(templateFiles);
  try {
    parseAlertmanagerConfig(alertmanagerConfig);
  } catch (e) {
    if (!(e instanceof InvalidAlertmanagerConfigError)) throw e;
    problems.push(...e.problems);
  }
  return problems;
}
