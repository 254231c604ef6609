import { compileLabelRegex } from './queryable';

describe('label regex (RE2 semantics)', () => {
  it.each([
    ['(?i:PRO).*', 'production', true],
    ['.*((?i)DUC).*', 'production', true],
    ['(?i)foo', 'FoO', true],
    ['prod(?i:UCTION)', 'PRODuction', false],
    ['[[:digit:]]+', '123', true],
    ['(?P<x>a)b', 'ab', true],
    ['a.b', 'a\nb', true],
    ['foo', 'foobar', false],
  ])('%s on %s matches: %s', (re, value, want) => {
    expect(compileLabelRegex(re).test(value)).toBe(want);
  });
});
