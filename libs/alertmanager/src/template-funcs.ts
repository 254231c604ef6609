import { TemplateParseError, parseTemplate } from '@strata/gotemplate';
import { type ConfigProblem } from './config-errors';
import { ALERTMANAGER_FUNCS } from './template/am-funcs';

/** Parses each template file as Alertmanager loads them, returning a problem per file that does not parse. */
export function checkTemplateFiles(files: Readonly<Record<string, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, text] of Object.entries(files)) {
    try {
      parseTemplate(name, text, (fn) => ALERTMANAGER_FUNCS.has(fn));
    } catch (e) {
      if (e instanceof TemplateParseError)
        problems.push({ path: `template_files.${name}`, reason: e.message });
      else throw e;
    }
  }
  return problems;
}
