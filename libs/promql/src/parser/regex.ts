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

function translate(pattern: string): { source: string; flags: string } {
  let flags = 's';
  let src = pattern;
  // RE2 allows a leading flag group; JS only has regex-wide flags.
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('i')) flags += 'i';
    if (lead[1].includes('m')) flags += 'm';
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$')
    .replace(/\\A/g, '^')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      return cls === undefined || neg !== '' ? whole : cls;
    });
  return { source: src, flags };
}

/**
 * Compiles a PromQL regex the way Prometheus matches label values: fully anchored, `.` matching
 * newlines, with the common RE2-only syntax (`(?i)` prefix, `(?P<n>`, `[[:alpha:]]`) translated.
 * Throws an Error whose message follows Go's `error parsing regexp: ...` shape.
 */
export function compilePromRegex(pattern: string): RegExp {
  const { source, flags } = translate(pattern);
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (e) {
    const jsMessage = e instanceof Error ? e.message : String(e);
    const goMessage = JS_TO_GO_MESSAGES.find(([re]) => re.test(jsMessage))?.[1] ?? jsMessage;
    throw new Error(`error parsing regexp: ${goMessage}: \`${pattern}\``);
  }
}
