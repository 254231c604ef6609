import { isIP } from 'node:net';
import {
  queryEscape,
  sprintf,
  GoCallError,
  type GoFunc,
  GoTime,
  STRING_FUNCS,
  GoMap,
  GoSlice,
  GoStruct,
  type GoValue,
  compareGoStrings,
  goTypeName,
} from '@strata/gotemplate';
import { parseDuration } from '@strata/promql';

/** One element of a `query` result: labels and value. */
export interface TemplateSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** What Prometheus' template functions need from their surroundings. */
export interface TemplateContext {
  /** Runs an instant query at `timeMs`; a scalar comes back as one sample without labels. */
  query?: (expr: string, timeMs: number) => Promise<readonly TemplateSample[]>;
  /** The evaluation time `query` runs at. */
  timeMs: number;
  /** Prometheus' `--web.external-url`. */
  externalURL?: string;
}

const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';

/** A `*sample` as Prometheus' templates hand it out. */
export function goSample(s: TemplateSample): GoStruct {
  return new GoStruct(
    'template.sample',
    [
      ['Labels', GoMap.ofStrings(s.labels)],
      ['Value', s.value],
    ],
    true,
  );
}

/** Go's strconv.ParseFloat(s, 64) as Prometheus' convertToFloat uses it; throws Go's error. */
function parseGoFloat(s: string): number {
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    const v = Number(s);
    if (!Number.isFinite(v))
      throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
    return v;
  }
  throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function toFloat(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v);
  throw new GoCallError(
    `can't convert ${v === null || v === undefined ? '<nil>' : goTypeName(v)} to float`,
  );
}

const g4 = (v: number): string => sprintf('%.4g', [v]);

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    // Go converts to int64 seconds before splitting into units.
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

class NaNOrInf extends Error {}

function floatToTime(v: number): GoTime {
  if (!Number.isFinite(v)) throw new NaNOrInf();
  const ns = v * 1e9;
  if (ns > 2 ** 63 || ns < -(2 ** 63)) {
    throw new GoCallError(
      `${sprintf('%v', [v])} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  // Prometheus goes through model.Time, so the time keeps whole milliseconds only.
  return new GoTime((BigInt(Math.trunc(ns)) / 1_000_000n) * 1_000_000n);
}

/** Go's net.SplitHostPort; null where it reports an error. */
function splitHostPort(hostport: string): [string, string] | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return null;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return null;
  return [host, hostport.slice(i + 1)];
}

function stripDomain(hostPort: string): string {
  const split = splitHostPort(hostPort);
  let host = split ? split[0] : hostPort;
  const port = split ? split[1] : '';
  if (isIP(host) !== 0) return hostPort;
  host = host.split('.')[0];
  if (port !== '') return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return host;
}

function urlPath(externalURL: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(externalURL);
  const raw = m ? m[1] : (/^[^?#]*/.exec(externalURL)?.[0] ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function sampleArg(v: GoValue): GoStruct {
  if (!(v instanceof GoStruct)) throw new GoCallError(NIL_DEREF);
  return v;
}

function sampleLabels(v: GoValue): GoMap {
  return sampleArg(v).field('Labels')?.value as GoMap;
}

const str1 = { params: ['string'] } as const;
const any1 = { params: ['interface {}'] } as const;

/** Prometheus' template functions (template/template.go) bound to one expansion's context. */
export function prometheusFuncs(ctx: TemplateContext): ReadonlyMap<string, GoFunc> {
  const externalURL = ctx.externalURL;
  return new Map<string, GoFunc>([
    [
      'query',
      {
        ...str1,
        call: async ([q]) => {
          if (!ctx.query) throw new GoCallError(NIL_DEREF);
          let samples: readonly TemplateSample[];
          try {
            samples = await ctx.query(q as string, ctx.timeMs);
          } catch (e) {
            throw new GoCallError((e as Error).message);
          }
          return new GoSlice('template.queryResult', '*template.sample', samples.map(goSample));
        },
      },
    ],
    [
      'first',
      {
        params: ['template.queryResult'],
        call: ([v]) => {
          if (v instanceof GoSlice && v.items.length > 0) return v.items[0];
          throw new GoCallError('first() called on vector with no elements');
        },
      },
    ],
    [
      'label',
      {
        params: ['string', '*template.sample'],
        call: ([l, s]) => sampleLabels(s).entries.get(l as string) ?? '',
      },
    ],
    ['value', { params: ['*template.sample'], call: ([s]) => sampleArg(s).field('Value')?.value }],
    [
      'strvalue',
      {
        params: ['*template.sample'],
        call: ([s]) => sampleLabels(s).entries.get('__value__') ?? '',
      },
    ],
    [
      'args',
      {
        params: [],
        variadic: 'interface {}',
        call: (args) =>
          new GoMap(
            'interface {}',
            new Map(args.map((a, i) => [`arg${i}`, a] as [string, GoValue])),
          ),
      },
    ],
    ...STRING_FUNCS,
    [
      'graphLink',
      { ...str1, call: ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=0` },
    ],
    [
      'tableLink',
      { ...str1, call: ([e]) => `/graph?g0.expr=${queryEscape(e as string)}&g0.tab=1` },
    ],
    [
      'sortByLabel',
      {
        params: ['string', 'template.queryResult'],
        call: ([l, v]) => {
          if (!(v instanceof GoSlice)) return v;
          const key = (s: GoValue): string =>
            String(sampleLabels(s).entries.get(l as string) ?? '');
          // Array.prototype.sort is stable, as sort.Stable is.
          v.items.sort((a, b) => compareGoStrings(key(a), key(b)));
          return v;
        },
      },
    ],
    ['stripPort', { ...str1, call: ([h]) => splitHostPort(h as string)?.[0] ?? (h as string) }],
    ['stripDomain', { ...str1, call: ([h]) => stripDomain(h as string) }],
    ['humanize', { ...any1, call: ([v]) => humanize(toFloat(v)) }],
    ['humanize1024', { ...any1, call: ([v]) => humanize1024(toFloat(v)) }],
    ['humanizeDuration', { ...any1, call: ([v]) => humanizeDuration(toFloat(v)) }],
    ['humanizePercentage', { ...any1, call: ([v]) => sprintf('%.4g%%', [toFloat(v) * 100]) }],
    [
      'humanizeTimestamp',
      {
        ...any1,
        call: ([v]) => {
          const f = toFloat(v);
          try {
            return floatToTime(f).string();
          } catch (e) {
            if (e instanceof NaNOrInf) return g4(f);
            throw e;
          }
        },
      },
    ],
    [
      'toTime',
      {
        ...any1,
        call: ([v]) => {
          try {
            return floatToTime(toFloat(v));
          } catch (e) {
            if (e instanceof NaNOrInf) throw new GoCallError('value is NaN or Inf');
            throw e;
          }
        },
      },
    ],
    [
      'pathPrefix',
      {
        params: [],
        call: () => {
          if (externalURL === undefined) throw new GoCallError(NIL_DEREF);
          return urlPath(externalURL);
        },
      },
    ],
    [
      'externalURL',
      {
        params: [],
        call: () => {
          if (externalURL === undefined) throw new GoCallError(NIL_DEREF);
          return externalURL;
        },
      },
    ],
    [
      'parseDuration',
      {
        ...str1,
        call: ([d]) => {
          try {
            return parseDuration(d as string) / 1000;
          } catch (e) {
            throw new GoCallError((e as Error).message);
          }
        },
      },
    ],
  ]);
}
