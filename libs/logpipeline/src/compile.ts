import {
  type LogRecord,
  PIPELINE_SOURCE_INPUT,
  PipelineSpec,
  type PipelineSpecInput,
  type SinkSpec,
  type TransformSpec,
} from '@strata/contracts';
import { type ZodError } from 'zod';
import { LogAlertCounts } from './log-alerts';
import { HeldEvents } from './held-events';
import { LogMetricCounts } from './log-metrics';
import { PipelineValidationError, type PipelineProblem } from './problems';
import { parseCriTransform, parseDockerTransform } from './transforms/container';
import { logAlertTransform } from './transforms/log-alert';
import { logToMetricTransform } from './transforms/log-to-metric';
import { redactTransform, remapTransform } from './transforms/edit';
import { MULTILINE_PRESET_RULES, multilineTransform } from './transforms/multiline';
import {
  parseJsonTransform,
  parseLogfmtTransform,
  parseRegexTransform,
} from './transforms/parsers';
import { sampleTransform, throttleTransform } from './transforms/rate';
import { parseSyslogTransform } from './transforms/syslog';
import { filterTransform, routeTransform } from './transforms/select';
import { DEFAULT_OUTPUT, type Transform } from './transforms/transform';

/** Where a component reads from: a node (`source` or a transform) and one of its outputs. */
interface Wire {
  node: string;
  output: string;
}

interface Node {
  id: string;
  transform: Transform;
  inputs: Wire[];
}

/** A pipeline ready to run: transforms in an order where every input comes first, and its sinks. */
export interface CompiledPipeline {
  readonly spec: PipelineSpec;
  readonly nodes: readonly Node[];
  readonly sinks: ReadonlyArray<{ id: string; spec: SinkSpec; inputs: Wire[] }>;
  /** Totals of the pipeline's `log_to_metric` transforms. */
  readonly metrics: LogMetricCounts;
  /** Counts and states of the pipeline's `log_alert` rules. */
  readonly alerts: LogAlertCounts;
  /** True when a transform holds unfinished events between batches (batches must come in order). */
  readonly holds: boolean;
}

function buildTransform(id: string, spec: TransformSpec): Transform {
  switch (spec.type) {
    case 'parse_json':
      return parseJsonTransform(spec);
    case 'parse_logfmt':
      return parseLogfmtTransform(spec);
    case 'parse_regex':
      return parseRegexTransform(spec);
    case 'parse_syslog':
      return parseSyslogTransform(spec);
    case 'parse_cri':
      return parseCriTransform(spec.timeout_ms);
    case 'parse_docker':
      return parseDockerTransform(spec.timeout_ms);
    case 'multiline':
      return multilineTransform({
        ...spec,
        rules: spec.rules ?? MULTILINE_PRESET_RULES[spec.preset ?? 'java'],
      });
    case 'filter':
      return filterTransform(spec.condition);
    case 'route':
      return routeTransform(spec.routes);
    case 'remap':
      return remapTransform(spec);
    case 'redact':
      return redactTransform(spec);
    case 'throttle':
      return throttleTransform(spec);
    case 'sample':
      return sampleTransform(spec.rate);
    case 'log_to_metric':
      return logToMetricTransform(spec.metrics);
    case 'log_alert':
      return logAlertTransform(id, spec);
  }
}

/** Which part of a transform a compile error belongs to, for the problem's path. */
function failingPart(spec: TransformSpec): string {
  switch (spec.type) {
    case 'parse_regex':
      return 'pattern';
    case 'filter':
      return 'condition';
    case 'route':
      return 'routes';
    case 'redact':
      return 'patterns';
    case 'log_alert':
      return 'line_regex';
    case 'multiline':
      return 'rules';
    case 'parse_json':
    case 'parse_logfmt':
    case 'parse_syslog':
    case 'parse_cri':
    case 'parse_docker':
    case 'remap':
    case 'throttle':
    case 'sample':
    case 'log_to_metric':
      return 'type';
  }
}

function zodProblems(error: ZodError): PipelineProblem[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * Checks and compiles a pipeline: its shape, every pattern and condition, and its wiring (inputs
 * that exist, no cycles, no component reading a sink). A new version of a running pipeline
 * passes the old one's `metrics` so its counters keep counting. Throws {@link PipelineValidationError}
 * listing each problem with its path.
 */
export function compilePipeline(
  input: PipelineSpecInput | PipelineSpec,
  options: { metrics?: LogMetricCounts; alerts?: LogAlertCounts } = {},
): CompiledPipeline {
  const parsed = PipelineSpec.safeParse(input);
  if (!parsed.success) throw new PipelineValidationError(zodProblems(parsed.error));
  const spec = parsed.data;
  const problems: PipelineProblem[] = [];
  const transforms = new Map<string, Transform>();
  for (const [id, t] of Object.entries(spec.transforms)) {
    if (id === PIPELINE_SOURCE_INPUT) {
      problems.push({ path: `transforms.${id}`, message: `${id} is the pipeline's input` });
      continue;
    }
    if (Object.hasOwn(spec.sinks, id)) {
      problems.push({ path: `transforms.${id}`, message: `${id} is also a sink` });
      continue;
    }
    if (t.type === 'multiline' && (t.preset === undefined) === (t.rules === undefined)) {
      problems.push({ path: `transforms.${id}`, message: 'exactly one of preset or rules' });
      continue;
    }
    try {
      transforms.set(id, buildTransform(id, t));
    } catch (error) {
      problems.push({
        path: `transforms.${id}.${failingPart(t)}`,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const resolve = (ref: string, path: string): Wire | null => {
    if (ref === PIPELINE_SOURCE_INPUT) return { node: ref, output: DEFAULT_OUTPUT };
    if (transforms.has(ref)) return { node: ref, output: DEFAULT_OUTPUT };
    const dot = ref.indexOf('.');
    if (dot > 0) {
      const node = ref.slice(0, dot);
      const output = ref.slice(dot + 1);
      if (transforms.get(node)?.outputs.includes(output)) return { node, output };
    }
    // A transform that failed to compile was reported already.
    if (!Object.hasOwn(spec.transforms, ref))
      problems.push({ path, message: `unknown input ${JSON.stringify(ref)}` });
    return null;
  };
  const wires = new Map<string, Wire[]>();
  for (const [id, t] of Object.entries(spec.transforms))
    wires.set(
      id,
      t.inputs
        .map((ref, i) => resolve(ref, `transforms.${id}.inputs.${i}`))
        .filter((w): w is Wire => w !== null),
    );
  const sinks = Object.entries(spec.sinks).map(([id, s]) => ({
    id,
    spec: s,
    inputs: s.inputs
      .map((ref, i) => resolve(ref, `sinks.${id}.inputs.${i}`))
      .filter((w): w is Wire => w !== null),
  }));
  const order = topologicalOrder(wires, problems);
  if (problems.length > 0) throw new PipelineValidationError(problems);
  return {
    spec,
    nodes: order.map((id) => ({
      id,
      transform: transforms.get(id) as Transform,
      inputs: wires.get(id) ?? [],
    })),
    sinks,
    metrics: options.metrics ?? new LogMetricCounts(),
    alerts: declareAlerts(spec, options.alerts ?? new LogAlertCounts()),
    holds: [...transforms.values()].some((t) => t.holds === true),
  };
}

function declareAlerts(spec: PipelineSpec, alerts: LogAlertCounts): LogAlertCounts {
  const ids = new Set<string>();
  for (const [id, t] of Object.entries(spec.transforms)) {
    if (t.type !== 'log_alert') continue;
    ids.add(id);
    alerts.declare(id, {
      alert: t.alert,
      windowMs: t.window_ms,
      threshold: t.threshold,
      forMs: t.for_ms ?? 0,
      labels: t.labels ?? {},
      annotations: t.annotations ?? {},
    });
  }
  alerts.retain(ids);
  return alerts;
}

/** Kahn's order of the transforms; a cycle is a problem naming one transform on it. */
function topologicalOrder(wires: Map<string, Wire[]>, problems: PipelineProblem[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      problems.push({
        path: `transforms.${id}.inputs`,
        message: `cycle: ${cycle.join(' -> ')}`,
      });
      return;
    }
    state.set(id, 'visiting');
    for (const w of wires.get(id) ?? [])
      if (w.node !== PIPELINE_SOURCE_INPUT) visit(w.node, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of wires.keys()) visit(id, []);
  return order;
}

/** What one batch became: the records each sink receives (sinks that receive none are absent). */
export type PipelineOutput = Map<string, LogRecord[]>;

/**
 * Runs records through the transforms in order and gathers each sink's inputs; `log_to_metric`
 * counts into `metrics` (the pipeline's own totals unless the caller keeps a batch's apart).
 * Merging transforms continue and hold events in `held`; without it nothing is held (each batch
 * stands alone). Running no records releases held events whose deadline passed; the transforms
 * in `release` let go of everything they hold now (a reload that removes or changes them).
 */
export function runPipeline(
  pipeline: CompiledPipeline,
  records: readonly LogRecord[],
  nowMs: number = Date.now(),
  metrics: LogMetricCounts = pipeline.metrics,
  held: HeldEvents | null = null,
  release: ReadonlySet<string> = new Set(),
): PipelineOutput {
  const outputs = new Map<string, Map<string, LogRecord[]>>([
    [PIPELINE_SOURCE_INPUT, new Map([[DEFAULT_OUTPUT, [...records]]])],
  ]);
  const gather = (inputs: readonly Wire[]): LogRecord[] => {
    if (inputs.length === 1) return outputs.get(inputs[0].node)?.get(inputs[0].output) ?? [];
    return inputs.flatMap((w) => outputs.get(w.node)?.get(w.output) ?? []);
  };
  const keep = held ?? new HeldEvents();
  // Events held by a transform this version no longer has can never be sent on.
  held?.retain(new Set(pipeline.nodes.filter((n) => n.transform.holds).map((n) => n.id)));
  for (const node of pipeline.nodes) {
    const input = gather(node.inputs);
    const groups = keep.of(node.id);
    if (input.length === 0 && !(node.transform.holds === true && groups.size > 0)) {
      outputs.set(node.id, new Map());
      continue;
    }
    const hold = held !== null && !release.has(node.id);
    const ctx = { nowMs, metrics, alerts: pipeline.alerts, held: groups, hold };
    outputs.set(node.id, node.transform.apply(input, ctx));
  }
  const result: PipelineOutput = new Map();
  for (const sink of pipeline.sinks) {
    const got = gather(sink.inputs);
    if (got.length > 0) result.set(sink.id, got);
  }
  return result;
}
