import { matchesValue, type Matcher } from '@strata/promql';

/** Whether the matcher selects series that lack its label. */
export function matcherAcceptsEmpty(m: Matcher): boolean {
  return matchesValue(m, '');
}
