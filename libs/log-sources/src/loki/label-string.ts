import { LogInputError } from '../errors';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parses a Loki stream's label string, `{job="api", env="prod"}`: equality matchers only, values
 * as Go double-quoted strings (Loki's own encoding of `StreamAdapter.labels`).
 */
export function parseLabelString(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}'))
    throw new LogInputError(
      'malformed',
      where,
      `labels ${JSON.stringify(text)} are not {name="value", ...}`,
    );
  let i = 1;
  const end = s.length - 1;
  const skipSpace = () => {
    while (i < end && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (true) {
    skipSpace();
    if (i >= end) break;
    const start = i;
    while (i < end && /[a-zA-Z0-9_]/.test(s[i])) i++;
    const name = s.slice(start, i);
    skipSpace();
    const equals = s[i] === '=';
    i++;
    skipSpace();
    if (!NAME.test(name) || !equals || s[i] !== '"')
      throw new LogInputError(
        'malformed',
        where,
        `labels ${JSON.stringify(text)}: expected name="value" at ${start}`,
      );
    i++;
    let value = '';
    while (i < end && s[i] !== '"') {
      if (s[i] === '\\') {
        const next = s[i + 1];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        i += 2;
      } else value += s[i++];
    }
    if (s[i] !== '"')
      throw new LogInputError(
        'malformed',
        where,
        `labels ${JSON.stringify(text)}: unterminated value`,
      );
    i++;
    labels[name] = value;
    skipSpace();
    if (s[i] === ',') i++;
    else if (i < end)
      throw new LogInputError(
        'malformed',
        where,
        `labels ${JSON.stringify(text)}: expected , at ${i}`,
      );
  }
  if (Object.keys(labels).length === 0)
    throw new LogInputError('malformed', where, 'at least one label pair is required per stream');
  return labels;
}
