// RE2 metacharacters outside a class; any other character stands for itself.
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
// An escaped ASCII punctuation character is that character (`\.`, `\-`, `\/`); other escapes
// (`\d`, `\pL`, `\Q`, `\x41`...) are left to the automaton.
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

type Shape =
  { kind: 'equal' | 'prefix' | 'suffix' | 'contains'; literal: string } | { kind: 'any' };

/** The literal `s` spells, or null when it holds anything but literal characters. */
function literalOf(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined || !ESCAPABLE.test(next)) return null;
      out += next;
      i++;
    } else if (META.has(c)) return null;
    else out += c;
  }
  return out;
}

/** One alternative: a literal, optionally with `.*` before and/or after it. */
function shapeOf(alt: string): Shape | null {
  if (alt === '.*') return { kind: 'any' };
  const anyBefore = alt.startsWith('.*');
  let body = anyBefore ? alt.slice(2) : alt;
  // `\.*` is an escaped dot repeated, not a literal followed by `.*`.
  const anyAfter = body.endsWith('.*') && !body.endsWith('\\.*');
  if (anyAfter) body = body.slice(0, -2);
  const literal = literalOf(body);
  if (literal === null) return null;
  if (anyBefore && anyAfter) return { kind: 'contains', literal };
  if (anyBefore) return { kind: 'suffix', literal };
  if (anyAfter) return { kind: 'prefix', literal };
  return { kind: 'equal', literal };
}

/** Splits on top-level `|`; null when the pattern has groups or classes (then `|` may be nested). */
function alternativesOf(pattern: string): string[] | null {
  let body = pattern;
  // A whole-pattern group `(a|b)` / `(?:a|b)` captures nothing a matcher looks at.
  const open = body.startsWith('(?:') ? 3 : body.startsWith('(') && !body.startsWith('(?') ? 1 : 0;
  if (open > 0 && body.endsWith(')') && !body.endsWith('\\)')) body = body.slice(open, -1);
  const alts: string[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '(' || c === ')' || c === '[' || c === ']') return null;
    else if (c === '|') {
      alts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  alts.push(body.slice(start));
  return alts;
}

function predicateOf(shape: Shape): (v: string) => boolean {
  switch (shape.kind) {
    case 'any':
      return () => true;
    case 'equal':
      return (v) => v === shape.literal;
    case 'prefix':
      return (v) => v.startsWith(shape.literal);
    case 'suffix':
      return (v) => v.endsWith(shape.literal);
    case 'contains':
      return (v) => v.includes(shape.literal);
  }
}

/**
 * A string predicate equivalent to the fully anchored, dot-matches-newline pattern when it has one of
 * the shapes Prometheus' `FastRegexMatcher` short-circuits (`.*`, `.+`, literals, alternations of
 * literals as a set lookup, `lit.*`, `.*lit`, `.*lit.*`), else null.
 */
export function literalShapeMatcher(pattern: string): ((value: string) => boolean) | null {
  if (pattern === '.+') return (v) => v.length > 0;
  const alts = alternativesOf(pattern);
  if (alts === null) return null;
  const shapes: Shape[] = [];
  for (const alt of alts) {
    const shape = shapeOf(alt);
    if (shape === null) return null;
    if (shape.kind === 'any') return () => true;
    shapes.push(shape);
  }
  if (shapes.every((s) => s.kind === 'equal')) {
    const set = new Set(shapes.map((s) => (s as { literal: string }).literal));
    return set.size === 1 ? predicateOf(shapes[0]) : (v) => set.has(v);
  }
  const predicates = shapes.map(predicateOf);
  return predicates.length === 1 ? predicates[0] : (v) => predicates.some((p) => p(v));
}
