import { ConditionEvaluationError, ConditionSyntaxError } from '../errors';
import { TypedSlice, type FlatValue } from '../go-values';
import type { Condition } from './ast';
import { evaluateCondition } from './evaluate';
import { interpretCondition } from './interpret';
import { parseCondition } from './parse';

/** The parse tree as an S-expression, so precedence cases read as the tree they must build. */
function show(c: Condition): string {
  switch (c.kind) {
    case 'andOr':
      return `(${c.op} ${show(c.left)} ${show(c.right)})`;
    case 'not':
      return `(not ${show(c.operand)})`;
    case 'compare':
      return `${c.path}${c.op}${c.value.type === 'string' ? JSON.stringify(c.value.text) : c.value.text}`;
    case 'boolCompare':
      return `${c.path}${c.op}${c.value}`;
    case 'contains':
      return `${c.path} ${c.negated ? 'not ' : ''}contains ${JSON.stringify(c.value)}`;
    case 'in':
      return `${c.path} ${c.negated ? 'not ' : ''}in ${JSON.stringify(c.values)}`;
    case 'match':
      return `${c.path} ${c.op} ${JSON.stringify(c.pattern)}`;
    case 'exists':
      return `${c.path} ${c.negated ? 'not ' : ''}exists`;
    case 'variable':
      return c.path;
  }
}

const event = new Map<string, FlatValue>([
  ['metadata.namespace', 'kube-system'],
  ['metadata.name', 'redis-1'],
  ['involvedObject.apiVersion', 'v1'],
  ['involvedObject.kind', 'Pod'],
  ['count', 25],
  ['big', 1000000],
  ['ratio', 0.5],
  ['open', true],
  ['closed', false],
  ['flag', 'T'],
  ['word', 'yes'],
  ['nothing', null],
  ['message', 'Back-off restarting failed container\nline two'],
  ['quoted', 'say \\"hi\\"'],
  ['metadata.labels', { app: 'redis', tier: 'cache' }],
  ['metadata.finalizers', new TypedSlice(['a'])],
  ['spec.replicas', 3],
  [
    'ResponseObject.status.images',
    [
      { names: ['nginx:1', 'nginx:latest'], sizeBytes: 10 },
      { names: ['redis:7'], sizeBytes: 20 },
    ],
  ],
  ['SourceIPs', ['10.0.0.1', '192.168.1.5']],
  ['empty', []],
]);

// [condition, whether it holds for `event`]
const EVALUATION: ReadonlyArray<readonly [string, boolean]> = [
  // The documented examples.
  [
    '(metadata.namespace in ("kube-system","default") or count >= 20) and involvedObject.apiVersion contains "v1"',
    true,
  ],
  ['open and involvedObject.apiVersion="v1"', true],
  ['!open', false],
  ['open = true', true],
  ['open != true', false],
  ['count >= 20', true],
  ['metadata.namespace = "kube-system"', true],
  ['metadata.namespace in ("kube-system", "default")', true],
  ['metadata.namespace contains "system"', true],
  ['metadata.namespace like "kube*"', true],
  ['metadata.name like "redis-?"', true],
  // Booleans: three spellings, `==` is `=`, Go's ParseBool on the value ("T" is true).
  ['open = TRUE', true],
  ['open == True', true],
  ['closed = false', true],
  ['flag = true', true],
  ['flag', true],
  ['closed', false],
  ['not closed', true],
  ['missing = true', false],
  ['missing != true', false],
  ['!missing', true],
  // Numbers compare as float64 of the printed value; strings byte-wise; numbers print as Go does.
  ['count > 24.5', true],
  ['count < 25', false],
  ['count <= 25', true],
  ['count = 25', true],
  ['count != 25', false],
  ['count = "25"', true],
  ['count > "3"', false],
  ['big = "1e+06"', true],
  ['big = 1000000', true],
  ['ratio = "0.5"', true],
  ['metadata.namespace > "kube"', true],
  ['metadata.namespace < "kube"', false],
  ['count = -25', false],
  ['count > -1', true],
  // Absent and null fields make every comparison false, negated ones too.
  ['missing = "x"', false],
  ['missing != "x"', false],
  ['missing not contains "x"', false],
  ['missing not in ("x")', false],
  ['missing not like "x"', false],
  ['nothing = "x"', false],
  // contains / in compare printed text; numbers in a list are their text.
  ['metadata.namespace not contains "system"', false],
  ['count contains 5', true],
  ['count in (25, 26)', true],
  ['count in (25.0)', false],
  ['metadata.namespace not in ("default")', true],
  ['metadata.labels contains "app:redis"', true],
  ['metadata.labels = "map[app:redis tier:cache]"', true],
  ['metadata.finalizers = "[a]"', true],
  // like: `?` one character, `*` any run; unanchored as Go's regexp.Match; regex is RE2.
  ['metadata.namespace like "system"', true],
  ['metadata.namespace like "^kube-*$"', true],
  ['metadata.namespace not like "default*"', true],
  ['metadata.name regex "^redis-[0-9]+$"', true],
  ['metadata.name not regex "^redis"', false],
  ['message regex "container.line"', false],
  ['message regex "(?s)container.line"', true],
  ['message regex "^line two$"', false],
  ['message regex "(?m)^line two$"', true],
  // exists: the key, or any non-null key below it.
  ['metadata exists', true],
  ['metadata.namespace exists', true],
  ['missing exists', false],
  ['missing not exists', true],
  ['nothing exists', false],
  ['ResponseObject.status exists', true],
  // Strings keep their escapes; every leading and trailing quote is trimmed.
  ['quoted contains "say \\"hi"', true],
  // The Go engine trims every trailing quote, so it reads `say \"hi\` and never matches.
  ['quoted = "say \\"hi\\""', false],
  ['metadata.name != ""', true],
  // Arrays: [*] any element, [n] that one, [a:b] every one in the slice.
  ['ResponseObject.status.images[*].names[*] contains "redis"', true],
  ['ResponseObject.status.images[0].names[*] contains "redis"', false],
  ['ResponseObject.status.images[1].names[0] contains "redis"', true],
  ['ResponseObject.status.images[0:2].names[*] contains "nginx"', false],
  ['ResponseObject.status.images[:1].names[*] contains "nginx"', true],
  ['ResponseObject.status.images[1:].names[*] not contains "nginx"', true],
  ['ResponseObject.status.images[*].sizeBytes >= 20', true],
  ['ResponseObject.status.images[0:].sizeBytes >= 20', false],
  ['ResponseObject.status.images[5].sizeBytes >= 0', false],
  ['ResponseObject.status.images[*].absent = "x"', false],
  ['SourceIPs[*] contains "192.168."', true],
  ['SourceIPs[0] contains "192.168."', false],
  ['empty[*] contains "x"', false],
  ['missing[*] contains "x"', false],
  // and/or evaluate left to right on one level: `a or b and c` is `(a or b) and c`.
  ['open or closed and closed', false],
  ['closed and closed or open', true],
  ['open or (closed and closed)', true],
  // `not` takes what follows it, and/or included.
  ['not closed and closed', true],
  ['not (closed) and closed', true],
  ['(not closed) and closed', false],
];

describe('event-rule-engine conditions', () => {
  test.each(EVALUATION)('%s → %s', (condition, expected) => {
    expect(evaluateCondition(parseCondition(condition), event)).toBe(expected);
    // The compiled closure and the reference interpreter agree.
    expect(interpretCondition(parseCondition(condition), event)).toBe(expected);
  });
});

// [condition, the tree it parses to]
const PRECEDENCE: ReadonlyArray<readonly [string, string]> = [
  ['a or b and c', '(and (or a b) c)'],
  ['a and b or c', '(or (and a b) c)'],
  ['a and (b or c)', '(and a (or b c))'],
  ['not a and b', '(not (and a b))'],
  ['a and not b or c', '(and a (not (or b c)))'],
  ['!a', '(not a)'],
  ['not not a', '(not (not a))'],
  ['x="1" or y!=2 and z in ("a",3)', '(and (or x="1" y!=2) z in ["a","3"])'],
  ['a-b.c[*].d_e. exists', 'a-b.c[*].d_e. exists'],
  ['a==true', 'a=true'],
  ['index = "x"', 'index="x"'],
];

describe('event-rule-engine precedence', () => {
  test.each(PRECEDENCE)('%s parses as %s', (condition, tree) => {
    expect(show(parseCondition(condition))).toBe(tree);
  });
});

// [condition, the error's position and reason]
const SYNTAX_ERRORS: ReadonlyArray<readonly [string, string]> = [
  ['', "1:0: mismatched input '<EOF>' expecting {'(', NOT, VAR}"],
  ['count >', "1:7: mismatched input '<EOF>' expecting {NUMBER, STRING}"],
  ['count > true', "1:8: mismatched input 'true' expecting {NUMBER, STRING}"],
  ['a = b', "1:4: mismatched input 'b' expecting {NUMBER, STRING, BOOLEAN}"],
  ['(a = "x"', "1:8: mismatched input '<EOF>' expecting ')'"],
  ['a = "x")', "1:7: extraneous input ')' expecting <EOF>"],
  ['a in ("x" "y")', "1:10: mismatched input '\"y\"' expecting {',', ')'}"],
  ['a in "x"', "1:5: mismatched input '\"x\"' expecting '('"],
  ['a regex 3', "1:8: mismatched input '3' expecting STRING"],
  ['a = "x" and\n  b # "y"', "2:4: token recognition error at: '#'"],
  ['a = "x', '1:4: unterminated string'],
  ['a regex "("', '1:8: error parsing regexp: missing closing ): `(`'],
  ['a like "[*"', '1:7: error parsing regexp: missing closing ]: `[(.*)`'],
  ['a and', "1:5: mismatched input '<EOF>' expecting {'(', NOT, VAR}"],
  // `not in` is one token, the longest match, even at the start of `not inside`.
  ['not inside = "x"', "1:0: mismatched input 'not in' expecting {'(', NOT, VAR}"],
  ['true', "1:0: mismatched input 'true' expecting {'(', NOT, VAR}"],
];

describe('event-rule-engine syntax errors', () => {
  test.each(SYNTAX_ERRORS)('%j → %s', (condition, message) => {
    let error: unknown;
    try {
      parseCondition(condition);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionSyntaxError);
    expect((error as Error).message).toBe(message);
  });
});

// [condition, the error the Go engine panics with]
const EVALUATION_ERRORS: ReadonlyArray<readonly [string, string]> = [
  ['word > 3', 'yes is not number'],
  ['word', 'yes is not bool'],
  ['word = true', 'yes is not bool'],
  ['SourceIPs[*] = "x"', 'array only support contains or not contains method'],
  ['metadata.namespace[*].a = "x"', 'metadata.namespace is not array'],
  ['metadata.finalizers[*].a = "x"', 'metadata.finalizers is not array'],
  ['SourceIPs[*].a = "x"', 'the value not a map'],
  ['ResponseObject.status.images[2:1].sizeBytes = 1', 'wrong array range start 2, end 1'],
  ['closed and word > 3', 'yes is not number'],
];

describe('event-rule-engine evaluation errors', () => {
  test.each(EVALUATION_ERRORS)('%s → %s', (condition, message) => {
    expect(() => evaluateCondition(parseCondition(condition), event)).toThrow(
      new ConditionEvaluationError(message),
    );
    expect(() => interpretCondition(parseCondition(condition), event)).toThrow(
      new ConditionEvaluationError(message),
    );
  });
});
