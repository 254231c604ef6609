// Label regex matching cost: the backtracking JavaScript RegExp Strata used before (with the literal
// shortcuts the tsdb matcher had) side by side with the RE2 matcher (re2js, Prometheus' literal
// shortcuts, per-value memo): a first query compiles a fresh one, a repeated query goes through the
// tsdb `Matcher` the ingester uses and finds the pattern (and its memo) compiled. Run:
//   node -r @swc-node/register tools/bench/regex/main.ts [distinctValues] [seriesPerValue]
import { PromRegex } from '@strata/prom-regex';
import { matcher } from '@strata/tsdb';
import { compilePromRegex as compileBacktracking } from './backtracking-baseline';

const distinct = Number(process.argv[2] ?? 20_000);
const seriesPerValue = Number(process.argv[3] ?? 5);
const minMs = 300;

// The old tsdb matcher: literal and match-all patterns compared as strings, the rest on RegExp.
const OLD_META = /[\\.+*?()|[\]{}^$]/;
function oldMatcher(src: string): (v: string) => boolean {
  if (!OLD_META.test(src)) return (v) => v === src;
  if (src === '.*') return () => true;
  if (src === '.+') return (v) => v.length > 0;
  const re = compileBacktracking(src);
  return (v) => re.test(v);
}

function firstQuery(src: string): (v: string) => boolean {
  const re = PromRegex.compile(src);
  return (v) => re.test(v);
}

function repeatedQuery(src: string): (v: string) => boolean {
  const m = matcher('=~', 'job', src);
  return (v) => m.matches(v);
}

const KINDS = ['api-server', 'web-frontend', 'db-primary', 'cache', 'worker'];
const values = Array.from({ length: distinct }, (_, i) => {
  const kind = KINDS[i % KINDS.length];
  return `${kind}-${i}.${i % 3 === 0 ? 'prod' : 'staging'}.example.com:${9000 + (i % 100)}`;
});
// What a per-series filter sees: each value once per series carrying it.
const perSeries = values.flatMap((v) => Array<string>(seriesPerValue).fill(v));

/** Mean ns per value of one fresh matcher per run (compile included), as a request builds it. */
function nsPerValue(
  build: (src: string) => (v: string) => boolean,
  src: string,
  input: readonly string[],
): { ns: number; hits: number } {
  let hits = 0;
  for (let w = 0; w < 2; w++) {
    const m = build(src);
    hits = 0;
    for (const v of input) if (m(v)) hits++;
  }
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs * 1e6) {
    const m = build(src);
    for (const v of input) if (m(v)) hits++;
    runs++;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return { ns: elapsed / runs / input.length, hits: hits / (runs + 1) };
}

const PATTERNS = [
  'worker-1239\\.prod\\.example\\.com:9039',
  'api-server-.*',
  '.*\\.prod\\..*',
  '.*:9042',
  'api-server-0\\.prod\\.example\\.com:9000|cache-3\\.prod\\.example\\.com:9003|worker-4\\.staging\\.example\\.com:9004',
  '.+',
  '(api-server|web-frontend)-[0-9]+\\.prod\\..*',
  '[a-z]+-primary-1[0-9]{3}\\..*',
  '(?i)API-SERVER-12.*',
  '.*(prod|staging).*:90[0-4][0-9]',
];

console.log(
  `node ${process.version}; ${distinct} distinct label values, ${seriesPerValue} series per value`,
);
console.log(
  'ns per value, matcher built per run; old = backtracking RegExp; first/repeated = RE2 matcher on a first/repeated query\n',
);
console.log(
  `${'pattern'.padEnd(44)} ${'hits'.padStart(6)} | distinct values (postings):   old   first repeated | per series:   old   first repeated`,
);
for (const p of PATTERNS) {
  const cells: string[] = [];
  for (const input of [values, perSeries]) {
    const old = nsPerValue(oldMatcher, p, input);
    const first = nsPerValue(firstQuery, p, input);
    const repeated = nsPerValue(repeatedQuery, p, input);
    if (old.hits !== first.hits || old.hits !== repeated.hits)
      throw new Error(`${p}: old matched ${old.hits}, new ${first.hits}`);
    cells.push([old, first, repeated].map((r) => r.ns.toFixed(0).padStart(7)).join(' '));
  }
  const hits = nsPerValue(repeatedQuery, p, values).hits;
  const label = p.length > 44 ? `${p.slice(0, 41)}...` : p;
  console.log(
    `${label.padEnd(44)} ${String(hits).padStart(6)} | ${' '.repeat(26)}${cells[0]} | ${' '.repeat(10)}${cells[1]}`,
  );
}

// The finding: `(a+)+` over `aaaa…a!`. The backtracking engine doubles its time per added `a`, so
// only short values are run on it; RE2 is also run at the longest value the router accepts.
console.log('\n(a+)+ against a^n + "!": ms for one value (matcher built each time)');
console.log(`${'n'.padStart(6)} ${'old'.padStart(10)} ${'new'.padStart(10)}`);
// The fastest of three runs: on a shared machine a single run mostly measures the neighbours.
const time = (f: () => unknown): number => {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const s = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - s) / 1e6);
  }
  return best;
};
for (const n of [16, 18, 20, 22, 24, 2048]) {
  const value = `${'a'.repeat(n)}!`;
  const old = n <= 24 ? time(() => oldMatcher('(a+)+')(value)).toFixed(1) : 'hours';
  const re2 = time(() => firstQuery('(a+)+')(value)).toFixed(2);
  console.log(`${String(n).padStart(6)} ${old.padStart(10)} ${re2.padStart(10)}`);
}
console.log('old at n=34 measured on `npm start`: 77 s; each further `a` doubles it');
