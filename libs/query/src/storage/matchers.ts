import { compilePromRegex, type Labels, type Matcher } from '@strata/promql';

const cache = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compilePromRegex(pattern);
    // A bounded cache: tenants can send arbitrary patterns.
    if (cache.size > 5000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Whether a label value ('' when the label is absent) satisfies the matcher. */
export function matchValue(m: Matcher, v: string): boolean {
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return regex(m.value).test(v);
    case '!~':
      return !regex(m.value).test(v);
  }
}

/** Whether the matcher selects series that lack its label. */
export function matcherAcceptsEmpty(m: Matcher): boolean {
  return matchValue(m, '');
}

/** Whether a label set satisfies every matcher. */
export function matchLabels(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!matchValue(m, labels.get(m.name))) return false;
  return true;
}
