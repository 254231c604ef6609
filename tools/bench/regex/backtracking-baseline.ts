// The label regex engine Strata used before RE2: RE2 syntax translated to a backtracking
// JavaScript RegExp. Kept here only as the baseline the benchmark compares against.
const POSIX_CLASSES: Record<string, string> = {
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

const JS_TO_GO_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/Unterminated group/, 'missing closing )'],
  [/Unmatched '\)'/, 'unexpected )'],
  [/Nothing to repeat/, 'missing argument to repetition operator'],
  [/Unterminated character class|Missing \/|missing \]/i, 'missing closing ]'],
  [/Invalid group/, 'invalid or unsupported Perl syntax'],
  [/numbers out of order/, 'invalid character class range'],
];

function caseFold(ch: string): string {
  const lo = ch.toLowerCase();
  const up = ch.toUpperCase();
  return lo === up ? ch : `${lo}${up}`;
}

function escapeClassChar(ch: string): string {
  return /[\]\\^-]/.test(ch) ? `\\${ch}` : ch;
}

/** Rewrites one `[...]` class starting at `i`; returns the JS text and the index after it. */
function translateClass(p: string, i: number, ci: boolean): [string, number] {
  let out = '[';
  let j = i + 1;
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  if (p[j] === ']') {
    out += '\\]';
    j++;
  }
  while (j < p.length && p[j] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(j));
    if (posix && posix[1] === '' && POSIX_CLASSES[posix[2]] !== undefined) {
      out += POSIX_CLASSES[posix[2]];
      j += posix[0].length;
      continue;
    }
    if (p[j] === '\\') {
      out += p.slice(j, j + 2);
      j += 2;
      continue;
    }
    if (
      ci &&
      p[j + 1] === '-' &&
      p[j + 2] !== undefined &&
      p[j + 2] !== ']' &&
      /[a-zA-Z]/.test(p[j]) &&
      /[a-zA-Z]/.test(p[j + 2])
    ) {
      const a = p[j];
      const b = p[j + 2];
      out += `${a}-${b}${a.toLowerCase() === a ? a.toUpperCase() : a.toLowerCase()}-${b.toLowerCase() === b ? b.toUpperCase() : b.toLowerCase()}`;
      j += 3;
      continue;
    }
    out +=
      ci && /[a-zA-Z]/.test(p[j]) ? caseFold(p[j]).split('').map(escapeClassChar).join('') : p[j];
    j++;
  }
  return [`${out}]`, j + 1];
}

/**
 * Translates RE2 syntax JS lacks: scoped flags `(?i)` / `(?i:...)` (expanded into case classes),
 * `(?P<name>`, `\z`, `\A` and POSIX classes like `[[:alpha:]]`.
 */
function translate(p: string): string {
  let out = '';
  // One entry per open group: whether case-insensitivity was on when it opened.
  const stack: boolean[] = [];
  let ci = false;
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const e = p[i + 1] ?? '';
      if (e === 'z') out += '$';
      else if (e === 'A') out += '^';
      else out += `\\${e}`;
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, next] = translateClass(p, i, ci);
      out += cls;
      i = next;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(p.slice(i));
      if (flags) {
        const on: boolean = flags[1].includes('i')
          ? true
          : (flags[2] ?? '').includes('i')
            ? false
            : ci;
        if (flags[3] === ')') ci = on;
        else {
          stack.push(ci);
          ci = on;
          out += '(?:';
        }
        i += flags[0].length;
        continue;
      }
      stack.push(ci);
      if (p.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
        continue;
      }
      out += '(';
      i++;
      continue;
    }
    if (c === ')') {
      ci = stack.pop() ?? ci;
      out += ')';
      i++;
      continue;
    }
    out += ci && /[a-zA-Z]/.test(c) ? `[${caseFold(c)}]` : c;
    i++;
  }
  return out;
}

/**
 * Compiles a PromQL regex the way Prometheus matches label values: fully anchored, `.` matching
 * newlines, with the common RE2-only syntax (`(?i)` prefix, `(?P<n>`, `[[:alpha:]]`) translated.
 * Throws an Error whose message follows Go's `error parsing regexp: ...` shape.
 */
export function compilePromRegex(pattern: string): RegExp {
  // JS accepts lookaround and backreferences, RE2 (and so Prometheus) does not.
  const perl = /\(\?<?[=!]/.exec(pattern);
  if (perl)
    throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`${perl[0]}\``);
  const backref = /\\[1-9]/.exec(pattern);
  if (backref) throw new Error(`error parsing regexp: invalid escape sequence: \`${backref[0]}\``);
  try {
    return new RegExp(`^(?:${translate(pattern)})$`, 's');
  } catch (e) {
    const jsMessage = e instanceof Error ? e.message : String(e);
    const goMessage = JS_TO_GO_MESSAGES.find(([re]) => re.test(jsMessage))?.[1] ?? jsMessage;
    throw new Error(`error parsing regexp: ${goMessage}: \`${pattern}\``);
  }
}
