import { compilePromRegex } from './compile-prom-regex';

describe('compilePromRegex (Prometheus label regex semantics)', () => {
  it.each([
    ['prod', 'production', false],
    ['prod.*', 'production', true],
    ['(?i)PROD.*', 'production', true],
    ['(?i:PRO)duction', 'production', true],
    ['prod(?i:UCTION)', 'PRODuction', false],
    ['[[:digit:]]+', '123', true],
    ['(?P<x>a)b', 'ab', true],
    ['a.b', 'a\nb', true],
    ['a|b', 'ab', false],
  ])('%s on %j matches: %s', (pattern, value, matches) => {
    expect(compilePromRegex(pattern).test(value)).toBe(matches);
  });

  it('refuses what RE2 refuses, with Go-shaped messages', () => {
    expect(() => compilePromRegex('(?=a)')).toThrow(/^error parsing regexp: invalid or unsupported Perl syntax/);
    expect(() => compilePromRegex('(a)\\1')).toThrow(/^error parsing regexp: invalid escape sequence/);
    expect(() => compilePromRegex('(a')).toThrow(/^error parsing regexp: missing closing \)/);
  });
});
