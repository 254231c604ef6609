import { z } from 'zod';

const labelMap = z.record(z.string(), z.string());

/** A recording rule: `expr` evaluated each interval and stored as series named `record`. */
export const recordingRuleSchema = z
  .object({
    kind: z.literal('recording'),
    record: z.string().min(1),
    expr: z.string().min(1),
    labels: labelMap,
  })
  .strict();

/** An alerting rule: `expr`'s series become alerts, pending for `forMs`, kept firing `keepFiringForMs`. */
export const alertingRuleSchema = z
  .object({
    kind: z.literal('alerting'),
    alert: z.string().min(1),
    expr: z.string().min(1),
    forMs: z.number().int().nonnegative(),
    keepFiringForMs: z.number().int().nonnegative(),
    labels: labelMap,
    annotations: labelMap,
  })
  .strict();

/** Either kind of rule, told apart by `kind`. */
export const ruleSchema = z.discriminatedUnion('kind', [recordingRuleSchema, alertingRuleSchema]);

/**
 * A validated Prometheus rule group. `intervalMs` and `queryOffsetMs` are absent when the file
 * leaves them to the global settings; `limit` 0 means no limit.
 */
export const ruleGroupSchema = z
  .object({
    name: z.string().min(1),
    intervalMs: z.number().int().positive().optional(),
    queryOffsetMs: z.number().int().nonnegative().optional(),
    limit: z.number().int(),
    rules: z.array(ruleSchema),
  })
  .strict();

/** A recording rule of a validated group. */
export type RecordingRule = z.infer<typeof recordingRuleSchema>;
/** An alerting rule of a validated group. */
export type AlertingRule = z.infer<typeof alertingRuleSchema>;
/** A rule of a validated group. */
export type Rule = z.infer<typeof ruleSchema>;
/** A validated rule group. */
export type RuleGroup = z.infer<typeof ruleGroupSchema>;

/** One thing wrong with a rule file, worded as `promtool check rules` words it (without the file name). */
export interface RuleFileProblem {
  message: string;
  group?: string;
  /** 1-based index of the rule within its group. */
  rule?: number;
  ruleName?: string;
}
