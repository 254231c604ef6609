import { type LogRecord } from '@strata/contracts';
import { rfc3339ToNs } from './parsers';
import { DEFAULT_HOLD_TIMEOUT_MS, holdOpenEvents } from '../held-events';
import { DEFAULT_OUTPUT, type Transform } from './transform';

/** One container runtime line unwrapped: the text, its stream, and whether more of it follows. */
interface RuntimeLine {
  text: string;
  stream: string;
  timestampNs: string | null;
  partial: boolean;
}

/**
 * Unwraps each record with `parse` and joins partial lines with the ones that complete them, per
 * stream of labels; a partial line at the end of a batch is held for the next batch until
 * `timeoutMs` passes without the rest.
 */
function runtimeTransform(
  parse: (line: string) => RuntimeLine | null,
  timeoutMs = DEFAULT_HOLD_TIMEOUT_MS,
): Transform {
  return {
    outputs: [],
    holds: true,
    apply(records, ctx) {
      const out: Array<LogRecord | null> = [];
      const open = new Map<
        string,
        { index: number; state: string; lines: number; canContinue: boolean }
      >();
      for (const record of records) {
        const parsed = parse(record.line);
        if (parsed === null) {
          out.push(record);
          continue;
        }
        const key = `${JSON.stringify(record.labels)}\0${parsed.stream}`;
        let pending = open.get(key);
        const kept = pending ? undefined : ctx.held.get(key);
        if (kept) {
          ctx.held.delete(key);
          out.push(kept.record);
          pending = { index: out.length - 1, state: '', lines: kept.lines, canContinue: true };
          open.set(key, pending);
        }
        if (pending) {
          const merged = out[pending.index] as LogRecord;
          out[pending.index] = { ...merged, line: merged.line + parsed.text };
          pending.lines++;
          if (!parsed.partial) open.delete(key);
          continue;
        }
        const next: LogRecord = {
          ...record,
          line: parsed.text,
          timestampNs: parsed.timestampNs ?? record.timestampNs,
          fields: { ...record.fields, stream: parsed.stream },
        };
        out.push(next);
        if (parsed.partial)
          open.set(key, { index: out.length - 1, state: '', lines: 1, canContinue: true });
      }
      return new Map([
        [DEFAULT_OUTPUT, holdOpenEvents(out, open, ctx.held, ctx.nowMs, ctx.hold ? timeoutMs : 0)],
      ]);
    },
  };
}

const CRI = /^(\S+) (stdout|stderr) ([PF])(?:\S*) ?(.*)$/s;

/** `parse_cri`: containerd/CRI-O's `<time> <stream> <P|F> <log>` lines, partial lines merged. */
export function parseCriTransform(timeoutMs?: number): Transform {
  return runtimeTransform((line) => {
    const m = CRI.exec(line);
    if (!m) return null;
    return { timestampNs: rfc3339ToNs(m[1]), stream: m[2], partial: m[3] === 'P', text: m[4] };
  }, timeoutMs);
}

/** `parse_docker`: Docker's json-file lines (`{"log","stream","time"}`); a log without `\n` continues. */
export function parseDockerTransform(timeoutMs?: number): Transform {
  return runtimeTransform((line) => {
    if (!line.startsWith('{')) return null;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return null;
    }
    const o = v as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof o.log !== 'string') return null;
    const partial = !o.log.endsWith('\n');
    return {
      text: partial ? o.log : o.log.slice(0, -1),
      stream: typeof o.stream === 'string' ? o.stream : 'stdout',
      timestampNs: typeof o.time === 'string' ? rfc3339ToNs(o.time) : null,
      partial,
    };
  }, timeoutMs);
}
