// What the explorer's expression field offers as the user types; pure, so it is unit-tested.

/**
 * Completions of the word being typed: label names inside `{...}` or `by (...)`, metric names
 * elsewhere; each is the whole expression with the word completed, as a datalist needs.
 */
export function completions(expr: string, metrics: string[], labels: string[]): string[] {
  const word = /[A-Za-z_:][A-Za-z0-9_:]*$/.exec(expr)?.[0] ?? '';
  const before = expr.slice(0, expr.length - word.length);
  const opens = (open: string, close: string) =>
    before.lastIndexOf(open) > before.lastIndexOf(close);
  const inLabels =
    opens('{', '}') || /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*$/.test(before);
  // After an operator or a paren nothing is being typed yet; an empty field offers every metric.
  if (word === '' && !inLabels && before !== '') return [];
  const pool = inLabels ? labels : metrics;
  return pool
    .filter((n) => n.startsWith(word) && n !== word)
    .slice(0, 200)
    .map((n) => `${before}${n}`);
}
