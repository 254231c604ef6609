const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function isLetter(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** A letter as a class matching both cases when case-folding is on. */
function lit(c: string, fold: boolean): string {
  if (fold && isLetter(c) && c.length === 1) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
  return escapeLiteral(c);
}

/** Translates one `[...]` class starting at `i`; returns [js, nextIndex]. */
function translateClass(p: string, i: number, fold: boolean): [string, number] {
  let out = '[';
  let j = i + 1;
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  const extra: string[] = [];
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    if (p.startsWith('[:', j)) {
      const end = p.indexOf(':]', j + 2);
      if (end > 0) {
        const name = p.slice(j + 2, end);
        const neg = name.startsWith('^');
        const cls = POSIX[neg ? name.slice(1) : name];
        if (cls !== undefined && !neg) {
          out += cls;
          j = end + 2;
          continue;
        }
      }
    }
    if (p[j] === '\\') {
      out += p.slice(j, j + 2);
      j += 2;
      continue;
    }
    const c = p[j];
    if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
      const d = p[j + 2];
      out += `${escapeLiteral(c)}-${escapeLiteral(d)}`;
      if (fold && /[a-z]/.test(c) && /[a-z]/.test(d))
        extra.push(`${c.toUpperCase()}-${d.toUpperCase()}`);
      if (fold && /[A-Z]/.test(c) && /[A-Z]/.test(d))
        extra.push(`${c.toLowerCase()}-${d.toLowerCase()}`);
      j += 3;
      continue;
    }
    out += c === '[' ? '\\[' : c;
    if (fold && isLetter(c)) extra.push(c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
    j++;
  }
  return [out + extra.join('') + ']', j + 1];
}

/**
 * Rewrites an RE2 (Go) pattern into an equivalent JavaScript one: inline and scoped flags such as
 * `(?i)` / `(?i:...)` become explicit case classes, `(?P<n>` named groups, POSIX classes, `\z`,
 * `\A` and `\Q...\E` are translated. Compile the result with the `s` flag.
 */
export function translateRe2(p: string): string {
  let out = '';
  const stack: boolean[] = [];
  let fold = false;
  for (let i = 0; i < p.length;) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const body = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        for (const ch of body) out += lit(ch, fold);
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (n === 'z') out += '$';
      else if (n === 'A') out += '^';
      else if (n !== undefined && isLetter(n) && fold && !/[dDwWsSbBpPnrtfvx]/.test(n))
        out += lit(n, fold);
      else out += p.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, next] = translateClass(p, i, fold);
      out += cls;
      i = next;
      continue;
    }
    if (c === '(') {
      if (p.startsWith('(?P<', i)) {
        out += '(?<';
        stack.push(fold);
        i += 4;
        continue;
      }
      const m = /^\(\?([imsU-]*)(:|\))/.exec(p.slice(i));
      if (m !== null && m[1] !== '') {
        const on = m[1].split('-')[0];
        const off = m[1].split('-')[1] ?? '';
        const newFold: boolean = on.includes('i') ? true : off.includes('i') ? false : fold;
        if (m[2] === ')') {
          fold = newFold;
        } else {
          stack.push(fold);
          fold = newFold;
          out += '(?:';
        }
        i += m[0].length;
        continue;
      }
      stack.push(fold);
      out += '(';
      i++;
      continue;
    }
    if (c === ')') {
      fold = stack.pop() ?? false;
      out += ')';
      i++;
      continue;
    }
    out += isLetter(c) ? lit(c, fold) : c;
    i++;
  }
  return out;
}
