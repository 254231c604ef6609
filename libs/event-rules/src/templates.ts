import { goSprint, type FlatEvent } from './go-values';

const KEY_CHAR = /[0-9A-Za-z_.]/;

/**
 * kube-events' `FormatMap`: each `%key` (letters, digits, `_`, `.`) becomes `fmt.Sprint` of the
 * flattened field (`<nil>` when absent); a `%` followed by no key character disappears.
 */
export function formatPercentTemplate(format: string, event: FlatEvent): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const start = i;
    while (i < format.length && format[i] !== '%') i++;
    out += format.slice(start, i);
    i++;
    const keyStart = i;
    while (i < format.length && KEY_CHAR.test(format[i])) i++;
    if (i > keyStart) out += goSprint(event.get(format.slice(keyStart, i)));
  }
  return out;
}
