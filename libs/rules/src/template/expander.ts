import {
  TemplateExecError,
  TemplateParseError,
  BUILTINS,
  executeTemplate,
  type FuncMap,
  type GoFunc,
  type ParsedTemplate,
  parseTemplate,
  GoMap,
  GoStruct,
  type GoValue,
} from '@strata/gotemplate';
import { type TemplateContext, prometheusFuncs } from './prometheus-funcs';

/** The variables Prometheus defines in front of every alert label and annotation template. */
export const ALERT_TEMPLATE_DEFS =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** What an alert's templates see as `.`: its labels, the external labels and URL, and its value. */
export interface AlertTemplateData {
  labels: Readonly<Record<string, string>>;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  value: number;
}

const ALERT_DATA_TYPE =
  'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }';

/** The Go value of Prometheus' `AlertTemplateData`. */
export function alertTemplateData(d: AlertTemplateData): GoValue {
  return new GoStruct(ALERT_DATA_TYPE, [
    ['Labels', GoMap.ofStrings(d.labels)],
    ['ExternalLabels', GoMap.ofStrings(d.externalLabels)],
    ['ExternalURL', d.externalURL],
    ['Value', d.value],
  ]);
}

const PARSE_ONLY: FuncMap = new Map<string, GoFunc>([
  ...BUILTINS,
  ...prometheusFuncs({ timeMs: 0 }),
]);

function funcs(ctx: TemplateContext): FuncMap {
  return new Map<string, GoFunc>([...BUILTINS, ...prometheusFuncs(ctx)]);
}

// Rules are evaluated every interval with the same few templates; parsing once saves the lexer.
const PARSED_LIMIT = 1024;
const parsed = new Map<string, ParsedTemplate>();

function parseCached(name: string, text: string): ParsedTemplate {
  const key = `${name}\u0000${text}`;
  let t = parsed.get(key);
  if (t === undefined) {
    t = parseTemplate(name, text, (f) => PARSE_ONLY.has(f));
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, t);
  }
  return t;
}

/**
 * Prometheus' `Expander.Expand`: parses and runs `text` in text mode with `missingkey=zero` and
 * Prometheus' functions. Throws {@link TemplateParseError} / {@link TemplateExecError} worded as
 * `error parsing template <name>: ...` / `error executing template <name>: ...`.
 */
export async function expandTemplate(
  name: string,
  text: string,
  data: GoValue,
  ctx: TemplateContext,
): Promise<string> {
  let t: ParsedTemplate;
  try {
    t = parseCached(name, text);
  } catch (e) {
    if (e instanceof TemplateParseError)
      throw new TemplateParseError(`error parsing template ${name}: ${e.message}`);
    throw e;
  }
  try {
    return await executeTemplate(t, data, { funcs: funcs(ctx), missingKey: 'zero' });
  } catch (e) {
    if (e instanceof TemplateExecError)
      throw new TemplateExecError(`error executing template ${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Expands one alert label or annotation as Prometheus' alerting rule does: the variable
 * definitions in front, `__alert_<name>` as the template name, and a failure rendered into the
 * result as `<error expanding template: ...>`.
 */
export async function expandAlertTemplate(
  alertName: string,
  text: string,
  data: AlertTemplateData,
  ctx: TemplateContext,
): Promise<string> {
  try {
    return await expandTemplate(
      `__alert_${alertName}`,
      ALERT_TEMPLATE_DEFS + text,
      alertTemplateData(data),
      ctx,
    );
  } catch (e) {
    if (e instanceof TemplateParseError || e instanceof TemplateExecError)
      return `<error expanding template: ${e.message}>`;
    throw e;
  }
}

/** Prometheus' `Expander.ParseTest` of an alert template: the parse error text, or null when it parses. */
export function alertTemplateParseError(alertName: string, text: string): string | null {
  try {
    parseTemplate(`__alert_${alertName}`, ALERT_TEMPLATE_DEFS + text, (f) => PARSE_ONLY.has(f));
    return null;
  } catch (e) {
    if (e instanceof TemplateParseError) return e.message;
    throw e;
  }
}
