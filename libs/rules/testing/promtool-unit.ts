import { STALE_NAN } from '@strata/contracts';
import { Engine, Labels, MemoryQueryable, parseSeriesDesc } from '@strata/promql';
import { stringify } from 'yaml';
import { engineQueryFunc } from '../src/query/query-func';
import { parseRuleFile } from '../src/rule-file/parse';
import { GroupEvaluator } from '../src/group/group-evaluator';

/**
 * A `promtool test rules` unit test described without expectations: we evaluate it with our group
 * evaluator and the project's PromQL engine, write what we got as the expectations, and promtool
 * passing the file means Prometheus got the same.
 */
export interface UnitScenario {
  /** File name the rule file is written under (it also names the groups' file). */
  ruleFileName: string;
  ruleFile: string;
  groupEvalOrder: string[];
  evaluationIntervalMs: number;
  inputIntervalMs: number;
  inputSeries: Array<{ series: string; values: string }>;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  alertChecks: Array<{ evalTimeMs: number; alertname: string }>;
  exprChecks: Array<{ evalTimeMs: number; expr: string }>;
}

/** Our answers for a scenario, in promtool's expectation shapes. */
export interface UnitAnswers {
  alerts: Array<{
    evalTimeMs: number;
    alertname: string;
    alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
  }>;
  exprs: Array<{
    evalTimeMs: number;
    expr: string;
    samples: Array<{ labels: string; value: number }>;
  }>;
}

/** Runs a scenario as promtool's unit test runner does (`cmd/promtool/unittest.go`), with our evaluator. */
export async function answerScenario(s: UnitScenario): Promise<UnitAnswers> {
  const storage = new MemoryQueryable();
  for (const is of s.inputSeries) {
    const desc = parseSeriesDesc(`${is.series} ${is.values}`);
    const labels = Labels.fromPairs(desc.labels.map((l) => [l.name, l.value]));
    desc.values.forEach((v, i) => {
      if (!v.omitted) storage.append(labels, i * s.inputIntervalMs, v.stale ? STALE_NAN : v.value);
    });
  }
  const engine = new Engine({ noStepSubqueryIntervalMs: s.evaluationIntervalMs });
  const query = engineQueryFunc(engine, storage);
  const parsed = parseRuleFile(s.ruleFile, { maxRulesPerGroup: 0 });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const sink = {
    append: async (
      samples: ReadonlyArray<{ labels: Labels; t: number; value: number; stale?: true }>,
    ) => {
      for (const x of samples) storage.append(x.labels, x.t, x.stale ? STALE_NAN : x.value);
    },
  };
  const groups = [...parsed.groups]
    .sort((a, b) => s.groupEvalOrder.indexOf(a.name) - s.groupEvalOrder.indexOf(b.name))
    .map(
      (g) =>
        new GroupEvaluator(g, {
          file: s.ruleFileName,
          query,
          sink,
          // promtool gives groups without an interval the input series interval.
          defaultIntervalMs: s.inputIntervalMs,
          externalLabels: s.externalLabels,
          externalURL: s.externalURL,
        }),
    );
  const maxt = Math.max(
    0,
    ...s.alertChecks.map((a) => a.evalTimeMs),
    ...s.exprChecks.map((e) => e.evalTimeMs),
  );
  const answers: UnitAnswers = { alerts: [], exprs: [] };
  const checkTimes = [...new Set(s.alertChecks.map((a) => a.evalTimeMs))].sort((a, b) => a - b);
  for (let ts = 0; ts <= maxt; ts += s.evaluationIntervalMs) {
    for (const g of groups) {
      await g.eval(ts);
      for (const r of g.rules) {
        if (r.status.lastError !== null)
          throw new Error(`rule ${r.name} at ${ts}: ${r.status.lastError}`);
      }
    }
    for (const t of checkTimes.filter((t) => ts <= t && t < ts + s.evaluationIntervalMs)) {
      for (const check of s.alertChecks.filter((a) => a.evalTimeMs === t)) {
        const alerts = groups
          .flatMap((g) => g.rules)
          .flatMap((r) =>
            r.kind === 'alerting' && r.name === check.alertname ? r.activeAlerts() : [],
          )
          .filter((a) => a.state === 'firing')
          .map((a) => ({
            labels: a.labels.without('alertname').toRecord(),
            annotations: { ...a.annotations },
          }));
        answers.alerts.push({ evalTimeMs: t, alertname: check.alertname, alerts });
      }
    }
  }
  for (const e of s.exprChecks) {
    const { result } = await engine.instantQuery(storage, e.expr, e.evalTimeMs);
    const samples =
      result.type === 'vector'
        ? result.value.map((x) => ({
            labels: x.metric.toString() === '' ? '{}' : x.metric.toString(),
            value: x.f,
          }))
        : result.type === 'scalar'
          ? [{ labels: '{}', value: result.value.v }]
          : [];
    answers.exprs.push({ evalTimeMs: e.evalTimeMs, expr: e.expr, samples });
  }
  return answers;
}

function duration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The promtool unit test file whose expectations are our answers. */
export function promtoolTestFile(s: UnitScenario, answers: UnitAnswers): string {
  return stringify(
    {
      rule_files: [s.ruleFileName],
      evaluation_interval: duration(s.evaluationIntervalMs),
      group_eval_order: s.groupEvalOrder,
      tests: [
        {
          interval: duration(s.inputIntervalMs),
          ...(s.externalLabels ? { external_labels: s.externalLabels } : {}),
          ...(s.externalURL ? { external_url: s.externalURL } : {}),
          input_series: s.inputSeries,
          alert_rule_test: answers.alerts.map((a) => ({
            eval_time: duration(a.evalTimeMs),
            alertname: a.alertname,
            exp_alerts: a.alerts.map((x) => ({
              exp_labels: x.labels,
              exp_annotations: x.annotations,
            })),
          })),
          promql_expr_test: answers.exprs.map((e) => ({
            expr: e.expr,
            eval_time: duration(e.evalTimeMs),
            exp_samples: e.samples,
          })),
        },
      ],
    },
    { lineWidth: 0 },
  );
}
