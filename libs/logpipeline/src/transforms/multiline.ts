import { type LogRecord, type MultilineRule } from '@strata/contracts';
import { type RE2JS } from 're2js';
import { type CompiledPath, compilePath, getText } from '../record-path';
import { compileRe2 } from './parsers';
import { DEFAULT_HOLD_TIMEOUT_MS, holdOpenEvents } from '../held-events';
import { DEFAULT_OUTPUT, type Transform } from './transform';

/** The state a merged record starts in. */
export const MULTILINE_START_STATE = 'start_state';

/**
 * Built-in machines for stack traces, in the shape of Fluent Bit's multiline parsers: a start rule
 * and continuation states. Java: an exception line, then `at`, `...`, `Caused by:`; Python:
 * `Traceback`, indented frames, then the exception line that ends it; Go: `panic:` or
 * `goroutine N [...]:`, then frames, blank lines and `created by`.
 */
export const MULTILINE_PRESET_RULES: Record<'java' | 'python' | 'go', MultilineRule[]> = {
  java: [
    {
      state: MULTILINE_START_STATE,
      pattern: '(?:Exception|Error|Throwable)(?::|$)',
      next: 'java_frames',
    },
    {
      state: 'java_frames',
      pattern:
        '^(?:\\s+at\\s|\\s+\\.\\.\\.\\s+\\d+\\s+(?:more|common frames omitted)|Caused by:|\\s*Suppressed:|\\s+)',
      next: 'java_frames',
    },
  ],
  python: [
    {
      state: MULTILINE_START_STATE,
      pattern: '^Traceback \\(most recent call last\\):$',
      next: 'python_frames',
    },
    { state: 'python_frames', pattern: '^\\s+', next: 'python_frames' },
    {
      state: 'python_frames',
      pattern: '^(?:During handling|The above exception)',
      next: 'python_between',
    },
    {
      state: 'python_frames',
      pattern: '^[\\w.]+(?:Error|Exception|Warning|Exit|Interrupt|Iteration)\\b',
      next: 'python_after',
    },
    { state: 'python_after', pattern: '^$', next: 'python_between' },
    { state: 'python_between', pattern: '^$', next: 'python_between' },
    {
      state: 'python_between',
      pattern: '^Traceback \\(most recent call last\\):$',
      next: 'python_frames',
    },
  ],
  go: [
    { state: MULTILINE_START_STATE, pattern: '^(?:panic: |fatal error: )', next: 'go_body' },
    {
      state: 'go_body',
      pattern:
        '^(?:$|\\s|goroutine \\d+ \\[|\\[signal |created by |[\\w./*()\\[\\]-]+\\(.*\\)$|exit status )',
      next: 'go_body',
    },
  ],
};

/** Options of `multiline`. */
export interface MultilineOptions {
  rules: MultilineRule[];
  group_by?: string[];
  max_lines?: number;
  timeout_ms?: number;
}

interface CompiledRule {
  re: RE2JS;
  next: string;
}

interface Open {
  index: number;
  state: string;
  lines: number;
  canContinue: boolean;
}

/**
 * `multiline`: a line that matches a start rule opens a record; following lines of the same group
 * that match a rule of the current state join it; anything else closes it. A record still open at
 * the end of a batch is held for the next batch until `timeout_ms` passes without its next line.
 */
export function multilineTransform(options: MultilineOptions): Transform {
  const byState = new Map<string, CompiledRule[]>();
  for (const rule of options.rules) {
    const list = byState.get(rule.state) ?? [];
    list.push({ re: compileRe2(rule.pattern), next: rule.next });
    byState.set(rule.state, list);
  }
  const starts = byState.get(MULTILINE_START_STATE) ?? [];
  const groupBy: CompiledPath[] | null = options.group_by?.map(compilePath) ?? null;
  const maxLines = options.max_lines ?? 1000;
  const timeoutMs = options.timeout_ms ?? DEFAULT_HOLD_TIMEOUT_MS;
  const groupKey = (r: LogRecord) =>
    groupBy === null ? JSON.stringify(r.labels) : JSON.stringify(groupBy.map((p) => getText(r, p)));
  const match = (rules: readonly CompiledRule[], line: string) =>
    rules.find((rule) => rule.re.test(line));

  return {
    outputs: [],
    holds: true,
    apply(records, ctx) {
      const out: Array<LogRecord | null> = [];
      const open = new Map<string, Open>();
      for (const record of records) {
        const key = groupKey(record);
        let current = open.get(key);
        const kept = current ? undefined : ctx.held.get(key);
        if (kept) {
          // The record held from an earlier batch continues here, or goes on as it is.
          ctx.held.delete(key);
          out.push(kept.record);
          current = {
            index: out.length - 1,
            state: kept.state,
            lines: kept.lines,
            canContinue: true,
          };
          open.set(key, current);
        }
        if (current && current.lines < maxLines) {
          const rule = match(byState.get(current.state) ?? [], record.line);
          if (rule) {
            const merged = out[current.index] as LogRecord;
            out[current.index] = { ...merged, line: `${merged.line}\n${record.line}` };
            current.lines++;
            current.state = rule.next;
            current.canContinue = current.lines < maxLines;
            continue;
          }
        }
        open.delete(key);
        out.push(record);
        const start = match(starts, record.line);
        if (start)
          open.set(key, { index: out.length - 1, state: start.next, lines: 1, canContinue: true });
      }
      return new Map([
        [DEFAULT_OUTPUT, holdOpenEvents(out, open, ctx.held, ctx.nowMs, ctx.hold ? timeoutMs : 0)],
      ]);
    },
  };
}
