import { type CompiledPath, compilePath, getText } from '../record-path';
import { recordTransform, type Transform } from './transform';

/** Options of `throttle`. */
export interface ThrottleOptions {
  threshold: number;
  window_ms: number;
  key_field?: string;
}

/** `throttle`: at most `threshold` records per key in each fixed window; the rest are dropped. */
export function throttleTransform(options: ThrottleOptions): Transform {
  const key: CompiledPath | null = options.key_field ? compilePath(options.key_field) : null;
  let windowStart = 0;
  let counts = new Map<string, number>();
  return recordTransform((record, ctx) => {
    const window = Math.floor(ctx.nowMs / options.window_ms) * options.window_ms;
    if (window !== windowStart) {
      windowStart = window;
      counts = new Map();
    }
    const k = key === null ? '' : getText(record, key);
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    return n <= options.threshold ? record : null;
  });
}

/** FNV-1a of a string: cheap and stable across processes, so a redelivered batch samples alike. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `sample`: keeps one record in `rate`, chosen by a hash of its line and timestamp. */
export function sampleTransform(rate: number): Transform {
  return recordTransform((record) =>
    rate <= 1 || fnv1a(`${record.timestampNs}\0${record.line}`) % rate === 0 ? record : null,
  );
}
