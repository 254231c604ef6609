/** Token kinds, named after Prometheus' lexer item types so error texts line up. */
export type TokenType =
  | 'EOF'
  | 'ERROR'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | 'LEFT_PAREN'
  | 'RIGHT_PAREN'
  | 'LEFT_BRACE'
  | 'RIGHT_BRACE'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'COMMA'
  | 'EQL'
  | 'COLON'
  | 'AT'
  | 'ADD'
  | 'SUB'
  | 'MUL'
  | 'DIV'
  | 'MOD'
  | 'POW'
  | 'EQLC'
  | 'NEQ'
  | 'LTE'
  | 'LSS'
  | 'GTE'
  | 'GTR'
  | 'EQL_REGEX'
  | 'NEQ_REGEX'
  | 'LAND'
  | 'LOR'
  | 'LUNLESS'
  | 'ATAN2'
  | 'AGGREGATOR'
  | 'BOOL'
  | 'BY'
  | 'GROUP_LEFT'
  | 'GROUP_RIGHT'
  | 'IGNORING'
  | 'OFFSET'
  | 'ON'
  | 'WITHOUT'
  | 'START'
  | 'END';

/** One lexed token; positions are byte offsets into the query. */
export interface Token {
  type: TokenType;
  /** Start byte offset. */
  pos: number;
  /** End byte offset (exclusive). */
  end: number;
  /** Source text of the token, or the message for ERROR tokens. */
  val: string;
}

/** Word tokens recognised case-insensitively outside braces; everything else is an identifier. */
export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['and', 'LAND'],
  ['or', 'LOR'],
  ['unless', 'LUNLESS'],
  ['atan2', 'ATAN2'],
  ['sum', 'AGGREGATOR'],
  ['avg', 'AGGREGATOR'],
  ['count', 'AGGREGATOR'],
  ['min', 'AGGREGATOR'],
  ['max', 'AGGREGATOR'],
  ['group', 'AGGREGATOR'],
  ['stddev', 'AGGREGATOR'],
  ['stdvar', 'AGGREGATOR'],
  ['topk', 'AGGREGATOR'],
  ['bottomk', 'AGGREGATOR'],
  ['count_values', 'AGGREGATOR'],
  ['quantile', 'AGGREGATOR'],
  ['limitk', 'AGGREGATOR'],
  ['limit_ratio', 'AGGREGATOR'],
  ['offset', 'OFFSET'],
  ['by', 'BY'],
  ['without', 'WITHOUT'],
  ['on', 'ON'],
  ['ignoring', 'IGNORING'],
  ['group_left', 'GROUP_LEFT'],
  ['group_right', 'GROUP_RIGHT'],
  ['bool', 'BOOL'],
  ['start', 'START'],
  ['end', 'END'],
  ['inf', 'NUMBER'],
  ['nan', 'NUMBER'],
]);

const OPERATORS: ReadonlySet<TokenType> = new Set<TokenType>([
  'ADD',
  'SUB',
  'MUL',
  'DIV',
  'MOD',
  'POW',
  'EQLC',
  'NEQ',
  'LTE',
  'LSS',
  'GTE',
  'GTR',
  'EQL_REGEX',
  'NEQ_REGEX',
  'LAND',
  'LOR',
  'LUNLESS',
  'ATAN2',
  'AT',
]);

const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set<TokenType>([
  'BOOL',
  'BY',
  'GROUP_LEFT',
  'GROUP_RIGHT',
  'IGNORING',
  'OFFSET',
  'ON',
  'WITHOUT',
]);

// Punctuation and preprocessor items have a fixed spelling in Prometheus, so they print quoted.
const FIXED_SPELLING: ReadonlySet<TokenType> = new Set<TokenType>([
  'LEFT_PAREN',
  'RIGHT_PAREN',
  'LEFT_BRACE',
  'RIGHT_BRACE',
  'LEFT_BRACKET',
  'RIGHT_BRACKET',
  'COMMA',
  'EQL',
  'COLON',
  'START',
  'END',
]);

function goQuotePrefix(val: string): string {
  // Go's %.10q truncates to ten runes before quoting.
  const runes = Array.from(val);
  return runes.length > 10
    ? `${JSON.stringify(runes.slice(0, 10).join(''))}...`
    : JSON.stringify(val);
}

function itemString(t: Token): string {
  if (t.type === 'EOF') return 'EOF';
  if (t.type === 'ERROR') return t.val;
  if (t.type === 'IDENTIFIER' || t.type === 'METRIC_IDENTIFIER') return JSON.stringify(t.val);
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  if (OPERATORS.has(t.type)) return `<op:${t.val}>`;
  if (t.type === 'AGGREGATOR') return `<aggr:${t.val}>`;
  return goQuotePrefix(t.val);
}

/** Describes a token for "unexpected ..." messages exactly like Prometheus' `Item.desc()`. */
export function describeToken(t: Token): string {
  const kind = DESC_KIND[t.type];
  if (t.type === 'EOF') return 'end of input';
  if (t.type === 'ERROR') return `error ${t.val}`;
  if (kind !== undefined) return `${kind} ${itemString(t)}`;
  if (FIXED_SPELLING.has(t.type)) return JSON.stringify(t.val);
  return itemString(t);
}

const DESC_KIND: Partial<Record<TokenType, string>> = {
  IDENTIFIER: 'identifier',
  METRIC_IDENTIFIER: 'metric identifier',
  STRING: 'string',
  NUMBER: 'number',
  DURATION: 'duration',
};
