import { type LogRecord, type TransformSpec } from '@strata/contracts';
import { evaluateCondition } from '@strata/event-rules';
import { compileRe2 } from './parsers';
import { compileCondition, flattenRecord } from './select';
import { simpleTransform, type Transform } from './transform';

type LogAlertSpec = Extract<TransformSpec, { type: 'log_alert' }>;

/** `log_alert`: counts the records that match the rule's selector, line filter and condition; all pass through. */
export function logAlertTransform(id: string, spec: LogAlertSpec): Transform {
  const selector = Object.entries(spec.selector ?? {});
  const re = spec.line_regex ? compileRe2(spec.line_regex) : null;
  const cond = spec.condition ? compileCondition(spec.condition) : null;
  const matches = (r: LogRecord) =>
    selector.every(([k, v]) => r.labels[k] === v) &&
    (spec.line_contains === undefined || r.line.includes(spec.line_contains)) &&
    (re === null || re.test(r.line)) &&
    (cond === null || evaluateCondition(cond, flattenRecord(r)));
  return simpleTransform((records, ctx) => {
    let n = 0;
    for (const r of records) if (matches(r)) n++;
    ctx.alerts.add(id, ctx.nowMs, n);
    return [...records];
  });
}
