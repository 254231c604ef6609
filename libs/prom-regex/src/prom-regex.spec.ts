import { RE2JS } from 're2js';
import { compilePromRegex } from './prom-regex';
import { literalShapeMatcher } from './literal-shapes';

const matches = (pattern: string, value: string): boolean => compilePromRegex(pattern).test(value);

describe('compilePromRegex (Prometheus label regex semantics)', () => {
  it.each([
    // Anchoring: the whole value must match, on both ends, whatever the alternation.
    ['prod', 'production', false],
    ['prod.*', 'production', true],
    ['.*duct', 'production', false],
    ['a|b', 'ab', false],
    ['a|ab', 'ab', true],
    ['^prod$', 'prod', true],
    ['x\\z', 'x', true],
    ['\\Ax', 'x', true],
    // Case-insensitivity as RE2 scopes it, with Go's simple case folding.
    ['(?i)PROD.*', 'production', true],
    ['(?i:PRO)duction', 'production', true],
    ['prod(?i:UCTION)', 'PRODuction', false],
    ['.*((?i)DUC).*', 'production', true],
    ['(?i)k', '\u212a', true],
    ['(?i)straße', 'STRASSE', false],
    // `.` matches a newline (Prometheus wraps in `(?s:...)`), unless the pattern turns it off.
    ['a.b', 'a\nb', true],
    ['(?-s:a.b)', 'a\nb', false],
    ['.*', 'line 1\nline 2', true],
    ['[^a]', '\n', true],
    ['(?m)^x$', 'x', true],
    // Unicode: `.` is one code point (a surrogate pair in JavaScript); Perl classes stay ASCII.
    ['.', '😀', true],
    ['..', '😀', false],
    ['\\x{1F600}', '😀', true],
    ['\\p{Greek}+', 'αβγ', true],
    ['\\pL', 'é', true],
    ['\\d', '٣', false],
    ['\\w', 'é', false],
    // Empty matches.
    ['', '', true],
    ['', 'a', false],
    ['a*', '', true],
    ['a|', '', true],
    ['.+', '', false],
    ['.*', '', true],
    // RE2-only syntax JavaScript lacks.
    ['[[:digit:]]+', '123', true],
    ['[[:^alpha:]]', '1', true],
    ['(?P<x>a)b', 'ab', true],
    ['(?<x>a)b', 'ab', true],
    ['\\Q.*\\E', '.*', true],
    ['\\Q.*\\E', 'ab', false],
    ['(?U)a+', 'aa', true],
  ])('%j on %j matches: %s', (pattern, value, want) => {
    expect(matches(pattern, value)).toBe(want);
  });

  it.each([
    ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(?!a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'error parsing regexp: invalid named capture: `(?<=a)b`'],
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['(a', 'error parsing regexp: missing closing ): `(a`'],
    ['(.*', 'error parsing regexp: missing closing ): `(.*`'],
    ['a)', 'error parsing regexp: unexpected ): `a)`'],
    ['[a', 'error parsing regexp: missing closing ]: `[a`'],
    ['*', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['\\', 'error parsing regexp: trailing backslash at end of expression'],
  ])('refuses %j with Go’s message', (pattern, message) => {
    expect(() => compilePromRegex(pattern)).toThrow(message);
  });

  it('matches a value that makes a backtracking engine run for minutes, in one linear pass', () => {
    const hostile = `${'a'.repeat(5000)}!`;
    expect(matches('(a+)+', hostile)).toBe(false);
    expect(matches('(a|a)*', hostile)).toBe(false);
    expect(matches('(a+)+!', hostile)).toBe(true);
  });

  it('answers the same for a value seen again (the memo) as the first time', () => {
    const re = compilePromRegex('api-[0-9]+');
    for (let round = 0; round < 2; round++) {
      expect(re.test('api-12')).toBe(true);
      expect(re.test('api-x')).toBe(false);
    }
  });

  it('captures groups of a full match, as label_replace expands them', () => {
    const m = compilePromRegex('(?P<host>[^:]+)(:(\\d+))?').exec('node-1:9100');
    expect(m?.[0]).toBe('node-1:9100');
    expect(m?.[1]).toBe('node-1');
    expect(m?.[3]).toBe('9100');
    expect(m?.groups?.host).toBe('node-1');
    const noPort = compilePromRegex('(?P<host>[^:]+)(:(\\d+))?').exec('node-1');
    expect(noPort?.[3]).toBeUndefined();
    // Anchored: a match inside the value is no match.
    expect(compilePromRegex('a+').exec('baa')).toBeNull();
    expect(compilePromRegex('a|ab').exec('ab')?.[0]).toBe('ab');
  });
});

describe('literalShapeMatcher (the shortcuts of FastRegexMatcher)', () => {
  const values = [
    '',
    'a',
    'api',
    'api-1',
    'web',
    'x.api.y',
    'api.',
    'foo\nbar',
    '.*',
    'a|b',
    'API',
    'é-api',
    '😀',
  ];

  it.each([
    ['.*', true],
    ['.+', true],
    ['api', true],
    ['api|web', true],
    ['(api|web)', true],
    ['(?:api|web|)', true],
    ['api.*', true],
    ['.*api', true],
    ['.*api.*', true],
    ['.*api.*|web', true],
    ['api\\.', true],
    ['.*\\..*', true],
    ['a\\|b', true],
    ['.*.*', true],
    ['', true],
    ['api\\.*', false],
    ['(?i)api', false],
    ['api.+', false],
    ['(a)|(b)', false],
    ['[a]pi', false],
    ['a{2}', false],
    ['\\d', false],
    ['^api$', false],
    ['.*?api', false],
  ])('%j has a shortcut: %s, which agrees with RE2 on every value', (pattern, hasShortcut) => {
    const shortcut = literalShapeMatcher(pattern);
    expect(shortcut !== null).toBe(hasShortcut);
    if (shortcut === null) return;
    const re2 = RE2JS.compile(pattern, RE2JS.DOTALL);
    for (const v of values) expect([v, shortcut(v)]).toEqual([v, re2.testExact(v)]);
  });
});
