import { Labels, METRIC_NAME } from '@strata/promql';
import { RuleEvaluationError } from '../errors';
import { type QueryFunc } from '../query/query-func';
import { printedQuery } from '../query/printed-query';
import { type RecordingRule } from '../rule-file/model';
import { type RuleStatus, initialStatus } from '../group/rule-status';
import { type OutputSample } from '../group/sink';

/** Evaluates one recording rule as Prometheus' `RecordingRule.Eval` does. */
export class RecordingRuleEvaluator {
  readonly kind = 'recording' as const;
  status: RuleStatus = initialStatus();
  private printed: string | undefined;

  constructor(readonly rule: RecordingRule) {}

  /** The rule's name, as Prometheus' API shows it. */
  get name(): string {
    return this.rule.record;
  }

  /** The expression as Prometheus prints it back (API `query`, `generatorURL`). */
  get query(): string {
    this.printed ??= printedQuery(this.rule.expr);
    return this.printed;
  }

  /**
   * Runs the expression at `ts - queryOffset` and renames every result series to the rule's name
   * with its labels set; throws {@link RuleEvaluationError} on duplicate series or over `limit`.
   */
  async eval(
    ts: number,
    queryOffsetMs: number,
    query: QueryFunc,
    limit: number,
  ): Promise<OutputSample[]> {
    const t = ts - queryOffsetMs;
    const vector = await query(this.rule.expr, t);
    const seen = new Set<string>();
    const out: OutputSample[] = [];
    for (const s of vector) {
      const labels = Labels.fromPairs([
        ...s.labels.toMap(),
        [METRIC_NAME, this.rule.record],
        ...Object.entries(this.rule.labels),
      ]);
      if (seen.has(labels.key))
        throw new RuleEvaluationError(
          'vector contains metrics with the same labelset after applying rule labels',
        );
      seen.add(labels.key);
      out.push({ labels, t, value: s.value });
    }
    if (limit > 0 && out.length > limit)
      throw new RuleEvaluationError(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}
