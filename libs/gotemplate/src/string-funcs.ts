import { type GoFunc } from './funcs';
import { matchString, replaceAllString } from './go-regexp';

/** strings.Title as Prometheus and Alertmanager use it: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const r of s) {
    out += isSeparator(prev) ? upperRune(r) : r;
    prev = r;
  }
  return out;
}

function isSeparator(r: string): boolean {
  if ((r.codePointAt(0) as number) <= 0x7f) return !/[0-9a-zA-Z_]/.test(r);
  if (/[\p{L}\p{Nd}]/u.test(r)) return false;
  return /\s/u.test(r);
}

/** unicode.ToUpper of one rune: JavaScript's mapping unless it would expand to several runes. */
function upperRune(r: string): string {
  const u = r.toUpperCase();
  return [...u].length === 1 ? u : r;
}

function lowerRune(r: string): string {
  const l = r.toLowerCase();
  return [...l].length === 1 ? l : r;
}

/** strings.ToUpper. */
export function goToUpper(s: string): string {
  return [...s].map(upperRune).join('');
}

/** strings.ToLower. */
export function goToLower(s: string): string {
  return [...s].map(lowerRune).join('');
}

const str1 = { params: ['string'] } as const;

/**
 * The string functions Prometheus' and Alertmanager's template sets share: `title toUpper toLower
 * match reReplaceAll safeHtml`.
 */
export const STRING_FUNCS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['title', { ...str1, call: ([s]) => goTitle(s as string) }],
  ['toUpper', { ...str1, call: ([s]) => goToUpper(s as string) }],
  ['toLower', { ...str1, call: ([s]) => goToLower(s as string) }],
  [
    'match',
    { params: ['string', 'string'], call: ([p, s]) => matchString(p as string, s as string) },
  ],
  [
    'reReplaceAll',
    {
      params: ['string', 'string', 'string'],
      call: ([p, r, t]) => replaceAllString(p as string, r as string, t as string),
    },
  ],
  ['safeHtml', { ...str1, call: ([t]) => t }],
]);
