const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * How names are checked: `legacy` is Prometheus 2's grammar (and Prometheus 3's `legacy` validation
 * scheme), `utf8` is Prometheus 3's default, where any non-empty UTF-8 text is a valid name.
 */
export type NameValidation = 'legacy' | 'utf8';

/** Whether `name` is a valid label name under the scheme, as `model.LabelName.IsValid` decides. */
export function isValidLabelName(name: string, scheme: NameValidation = 'legacy'): boolean {
  return scheme === 'legacy' ? LABEL_NAME.test(name) : name.length > 0 && isValidUtf8(name);
}

/** Whether `name` is a valid metric name under the scheme, as `model.IsValidMetricName` decides. */
export function isValidMetricName(name: string, scheme: NameValidation = 'legacy'): boolean {
  return scheme === 'legacy' ? METRIC_NAME.test(name) : name.length > 0 && isValidUtf8(name);
}

/** Whether a JavaScript string encodes to valid UTF-8, i.e. holds no lone surrogate. */
export function isValidUtf8(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
