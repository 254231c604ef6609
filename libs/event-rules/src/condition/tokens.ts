import { ConditionSyntaxError, positionAt } from '../errors';

/** Token kinds of EventRule.g4, in the grammar's order (which breaks ties between equal-length matches). */
export type TokenKind =
  | 'LPAREN'
  | 'RPAREN'
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'EQU'
  | 'NEQ'
  | 'GT'
  | 'LT'
  | 'GTE'
  | 'LTE'
  | 'CONTAINS'
  | 'NOTCONTAINS'
  | 'IN'
  | 'NOTIN'
  | 'LIKE'
  | 'NOTLIKE'
  | 'REGEX'
  | 'NOTREGEX'
  | 'EXISTS'
  | 'NOTEXISTS'
  | 'COMMA'
  | 'NUMBER'
  | 'BOOLEAN'
  | 'STRING'
  | 'VAR'
  | 'EOF';

/** One token with its text and where it starts. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
}

// The literal tokens, in the grammar's order; '(' and ')' are ANTLR's implicit tokens, defined first.
const LITERALS: ReadonlyArray<readonly [TokenKind, readonly string[]]> = [
  ['LPAREN', ['(']],
  ['RPAREN', [')']],
  ['AND', ['and']],
  ['OR', ['or']],
  ['NOT', ['not', '!']],
  ['EQU', ['=', '==']],
  ['NEQ', ['!=']],
  ['GT', ['>']],
  ['LT', ['<']],
  ['GTE', ['>=']],
  ['LTE', ['<=']],
  ['CONTAINS', ['contains']],
  ['NOTCONTAINS', ['not contains']],
  ['IN', ['in']],
  ['NOTIN', ['not in']],
  ['LIKE', ['like']],
  ['NOTLIKE', ['not like']],
  ['REGEX', ['regex']],
  ['NOTREGEX', ['not regex']],
  ['EXISTS', ['exists']],
  ['NOTEXISTS', ['not exists']],
  ['COMMA', [',']],
];
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;
const BOOLEANS = ['True', 'TRUE', 'true', 'False', 'FALSE', 'false'];
// VAR is `seg ('.' seg '.'?)*`; this spelling of the same language has no choice a greedy
// backtracking engine could take short of ANTLR's longest match.
const SEG = '[a-zA-Z_][a-zA-Z0-9_-]*(?:\\[(?:\\*|[0-9]+|[0-9]*:[0-9]*)\\])?';
const VAR = new RegExp(`${SEG}(?:\\.${SEG}(?:\\.\\.?${SEG})*\\.?)?`, 'y');

function stickyLength(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(text);
  return m === null ? 0 : m[0].length;
}

// STRING: '"' (ESC|.)*? '"' with ESC '\\"' | '\\\\': the first quote that is not escaped ends it.
function stringLength(text: string, at: number): number {
  if (text[at] !== '"') return 0;
  for (let i = at + 1; i < text.length;) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i += 2;
    else if (c === '"') return i + 1 - at;
    else i++;
  }
  return -1;
}

/**
 * Splits a condition into tokens as EventRule.g4's lexer does: the longest match wins, the rule
 * defined first wins a tie (so `in` is a keyword, `index` a variable and `not inside` is `not in` +
 * `side`), and blanks are skipped. Throws {@link ConditionSyntaxError} on a character no token starts with.
 */
export function tokenize(condition: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < condition.length) {
    const c = condition[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    const best: { kind: TokenKind | null; length: number } = { kind: null, length: 0 };
    const consider = (kind: TokenKind, length: number): void => {
      if (length > best.length) {
        best.kind = kind;
        best.length = length;
      }
    };
    for (const [kind, spellings] of LITERALS) {
      for (const s of spellings) if (condition.startsWith(s, i)) consider(kind, s.length);
    }
    consider('NUMBER', stickyLength(NUMBER, condition, i));
    for (const b of BOOLEANS) if (condition.startsWith(b, i)) consider('BOOLEAN', b.length);
    const str = stringLength(condition, i);
    if (str < 0 && best.length === 0) {
      throw new ConditionSyntaxError('unterminated string', positionAt(condition, i), condition);
    }
    consider('STRING', str);
    consider('VAR', stickyLength(VAR, condition, i));
    if (best.kind === null) {
      throw new ConditionSyntaxError(
        `token recognition error at: '${c}'`,
        positionAt(condition, i),
        condition,
      );
    }
    tokens.push({ kind: best.kind, text: condition.slice(i, i + best.length), offset: i });
    i += best.length;
  }
  tokens.push({ kind: 'EOF', text: '<EOF>', offset: condition.length });
  return tokens;
}
