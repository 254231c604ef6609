import { isIP } from 'node:net';
import {
  queryEscape,
  GoCallError,
  type GoFunc,
  HUMANIZE_FUNCS,
  STRING_FUNCS,
  GoMap,
  GoSlice,
  GoStruct,
  type GoValue,
  compareGoStrings,
  goToFloat,
  secondsToGoTime,
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
    ...HUMANIZE_FUNCS,
    [
      'toTime',
      {
        ...any1,
        call: ([v]) => {
          const t = secondsToGoTime(goToFloat(v));
          if (t === null) throw new GoCallError('value is NaN or Inf');
          return t;
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
