import { computeByteOffsets } from './byte-offsets';
import { scanEscape } from './escapes';
import { quoteRune } from './strings';
import { KEYWORDS, type Token, type TokenType } from './tokens';
import { scanNumber } from './scan-number';

/** Single-character arithmetic operators, the same in statements and in duration expressions. */
const ARITHMETIC_TOKENS: ReadonlyMap<number, TokenType> = new Map<number, TokenType>([
  [42 /* * */, 'MUL'],
  [47 /* / */, 'DIV'],
  [37 /* % */, 'MOD'],
  [43 /* + */, 'ADD'],
  [45 /* - */, 'SUB'],
  [94 /* ^ */, 'POW'],
]);

const EOF = -1;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return c === 95 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
/** ASCII letters, digits and `_`, as Prometheus' `isAlphaNumeric`. */
export function isAlphaNumeric(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

/**
 * A pull lexer for PromQL with the same modes as Prometheus' state machine: statements, inside
 * `{...}` and the start of a `[...]` duration expression. Positions are reported in bytes.
 */
export class Lexer {
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private gotDuration = false;
  private durationMode = false;
  private done = false;
  private readonly byteOffsets: Uint32Array | null;

  constructor(readonly input: string) {
    let ascii = true;
    for (let i = 0; i < input.length && ascii; i++) ascii = input.charCodeAt(i) < 0x80;
    this.byteOffsets = ascii ? null : computeByteOffsets(input);
  }

  /** Byte offset of a UTF-16 index. */
  byteAt(i: number): number {
    return this.byteOffsets === null ? i : this.byteOffsets[i];
  }

  /** Current scan position in UTF-16 code units, for callers that take over scanning. */
  get offset(): number {
    return this.pos;
  }

  /** Total length of the input in bytes. */
  get byteLength(): number {
    return this.byteAt(this.input.length);
  }

  private peekCode(): number {
    return this.pos < this.input.length ? this.input.charCodeAt(this.pos) : EOF;
  }

  private nextCode(): number {
    if (this.pos >= this.input.length) return EOF;
    return this.input.charCodeAt(this.pos++);
  }

  private emit(type: TokenType): Token {
    const t: Token = {
      type,
      pos: this.byteAt(this.start),
      end: this.byteAt(this.pos),
      val: this.input.slice(this.start, this.pos),
    };
    this.start = this.pos;
    return t;
  }

  private error(message: string): Token {
    this.done = true;
    return { type: 'ERROR', pos: this.byteAt(this.start), end: this.byteLength, val: message };
  }

  private skipSpaces(): void {
    while (isSpace(this.peekCode())) this.pos++;
    this.start = this.pos;
  }

  private skipComment(): void {
    while (this.pos < this.input.length) {
      const c = this.input.charCodeAt(this.pos);
      if (c === 10 || c === 13) break;
      this.pos++;
    }
    this.start = this.pos;
  }

  private runeAt(i: number): number {
    return this.input.codePointAt(i) ?? EOF;
  }

  /** Returns the next token; after an ERROR or EOF it keeps returning EOF. */
  next(): Token {
    if (this.done) {
      this.start = this.pos;
      return { type: 'EOF', pos: this.byteLength, end: this.byteLength, val: '' };
    }
    for (;;) {
      if (this.braceOpen) {
        const t = this.lexInsideBraces();
        if (t) return t;
        continue;
      }
      if (this.durationMode) {
        const t = this.lexDurationExpr();
        if (t) return t;
        continue;
      }
      const t = this.lexStatements();
      if (t) return t;
    }
  }

  private lexStatements(): Token | null {
    if (this.peekCode() === 35 /* # */) {
      this.skipComment();
      return null;
    }
    const r = this.nextCode();
    const op = ARITHMETIC_TOKENS.get(r);
    if (op !== undefined) return this.emit(op);
    switch (r) {
      case EOF:
        if (this.parenDepth !== 0) return this.error('unclosed left parenthesis');
        if (this.bracketOpen) return this.error('unclosed left bracket');
        this.done = true;
        return this.emit('EOF');
      case 44:
        return this.emit('COMMA');
      case 32:
      case 9:
      case 10:
      case 13:
        this.skipSpaces();
        return null;
      case 61 /* = */: {
        const t = this.peekCode();
        if (t === 61) {
          this.pos++;
          return this.emit('EQLC');
        }
        if (t === 126) return this.error(`unexpected character after '=': ${quoteRune(t)}`);
        return this.emit('EQL');
      }
      case 33 /* ! */: {
        const t = this.pos < this.input.length ? this.runeAt(this.pos) : EOF;
        if (t !== 61) return this.error(`unexpected character after '!': ${quoteRune(t)}`);
        this.pos++;
        return this.emit('NEQ');
      }
      case 60:
        if (this.peekCode() === 61) {
          this.pos++;
          return this.emit('LTE');
        }
        return this.emit('LSS');
      case 62:
        if (this.peekCode() === 61) {
          this.pos++;
          return this.emit('GTE');
        }
        return this.emit('GTR');
      case 34:
      case 39:
        return this.lexString(r);
      case 96:
        return this.lexRawString();
      case 40:
        this.parenDepth++;
        return this.emit('LEFT_PAREN');
      case 41: {
        const t = this.emit('RIGHT_PAREN');
        this.parenDepth--;
        // Prometheus reports this after emitting the paren, so the error starts past it.
        if (this.parenDepth < 0) return this.error("unexpected right parenthesis ')'");
        return t;
      }
      case 123:
        this.braceOpen = true;
        return this.emit('LEFT_BRACE');
      case 91: {
        if (this.bracketOpen) return this.error("unexpected left bracket '['");
        this.gotColon = false;
        const t = this.emit('LEFT_BRACKET');
        this.skipSpaces();
        this.bracketOpen = true;
        this.durationMode = true;
        return t;
      }
      case 93:
        if (!this.bracketOpen) return this.error("unexpected right bracket ']'");
        this.bracketOpen = false;
        return this.emit('RIGHT_BRACKET');
      case 64:
        return this.emit('AT');
    }
    if (isDigit(r) || (r === 46 && isDigit(this.peekCode()))) {
      this.pos--;
      return this.lexNumberOrDuration();
    }
    if (isAlpha(r) || r === 58) {
      if (!this.bracketOpen) {
        this.pos--;
        return this.lexKeywordOrIdentifier();
      }
      // Prometheus lexes any letter after a duration inside brackets as the subquery colon.
      if (this.gotColon) return this.error(`unexpected colon ${quoteRune(r)}`);
      this.gotColon = true;
      return this.emit('COLON');
    }
    this.pos--;
    const cp = this.runeAt(this.pos);
    return this.error(`unexpected character: ${quoteRune(cp)}`);
  }

  private lexInsideBraces(): Token | null {
    if (this.peekCode() === 35) {
      this.skipComment();
      return null;
    }
    const r = this.nextCode();
    if (r === EOF) return this.error('unexpected end of input inside braces');
    if (isSpace(r)) {
      this.skipSpaces();
      return null;
    }
    if (isAlpha(r)) {
      while (isAlphaNumeric(this.peekCode())) this.pos++;
      return this.emit('IDENTIFIER');
    }
    switch (r) {
      case 44:
        return this.emit('COMMA');
      case 34:
      case 39:
        return this.lexString(r);
      case 96:
        return this.lexRawString();
      case 61:
        if (this.peekCode() === 126) {
          this.pos++;
          return this.emit('EQL_REGEX');
        }
        return this.emit('EQL');
      case 33: {
        const nr = this.nextCode();
        if (nr === 126) return this.emit('NEQ_REGEX');
        if (nr === 61) return this.emit('NEQ');
        return this.error(`unexpected character after '!' inside braces: ${quoteRune(nr)}`);
      }
      case 123:
        return this.error("unexpected left brace '{'");
      case 125:
        this.braceOpen = false;
        return this.emit('RIGHT_BRACE');
    }
    this.pos--;
    return this.error(`unexpected character inside braces: ${quoteRune(this.runeAt(this.pos))}`);
  }

  private lexDurationExpr(): Token | null {
    const r = this.nextCode();
    const op = ARITHMETIC_TOKENS.get(r);
    if (op !== undefined) return this.emit(op);
    switch (r) {
      case EOF:
        return this.error('unexpected end of input in duration expression');
      case 93:
        this.bracketOpen = false;
        this.gotColon = false;
        this.durationMode = false;
        return this.emit('RIGHT_BRACKET');
      case 58: {
        const t = this.emit('COLON');
        if (!this.gotDuration)
          return this.error('unexpected colon before duration in duration expression');
        if (this.gotColon) return this.error('unexpected repeated colon in duration expression');
        this.gotColon = true;
        return t;
      }
      case 40:
        this.parenDepth++;
        return this.emit('LEFT_PAREN');
      case 41: {
        const t = this.emit('RIGHT_PAREN');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.error("unexpected right parenthesis ')'");
        return t;
      }
      case 32:
      case 9:
      case 10:
      case 13:
        this.skipSpaces();
        return null;
    }
    if (isDigit(r) || (r === 46 && isDigit(this.peekCode()))) {
      this.pos--;
      this.gotDuration = true;
      this.durationMode = false;
      return this.lexNumberOrDuration();
    }
    this.pos--;
    return this.error(
      `unexpected character in duration expression: ${quoteRune(this.runeAt(this.pos))}`,
    );
  }

  private lexString(quote: number): Token {
    for (;;) {
      const c = this.nextCode();
      if (c === 92) {
        const r = scanEscape(this.input, this.pos, quote);
        this.pos = r.end;
        if (r.error !== null) return this.error(r.error);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff && !this.consumeLowSurrogate(c))
        return this.error('invalid UTF-8 rune');
      if (c === EOF || c === 10) return this.error('unterminated quoted string');
      if (c === quote) break;
    }
    return this.emit('STRING');
  }

  private consumeLowSurrogate(c: number): boolean {
    if (c > 0xdbff) return false;
    const lo = this.peekCode();
    if (lo < 0xdc00 || lo > 0xdfff) return false;
    this.pos++;
    return true;
  }

  private lexRawString(): Token {
    for (;;) {
      const c = this.nextCode();
      if (c >= 0xd800 && c <= 0xdfff && !this.consumeLowSurrogate(c))
        return this.error('invalid UTF-8 rune');
      if (c === EOF) return this.error('unterminated raw string');
      if (c === 96) break;
    }
    return this.emit('STRING');
  }

  private lexNumberOrDuration(): Token {
    const scanned = scanNumber(this.input, this.pos, false);
    this.pos = scanned.end;
    if (scanned.ok) return this.emit('NUMBER');
    if (this.acceptRemainingDuration()) {
      this.pos--;
      return this.emit('DURATION');
    }
    return this.error(
      `bad number or duration syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`,
    );
  }

  private accept(chars: string): boolean {
    const c = this.peekCode();
    if (c !== EOF && chars.includes(String.fromCharCode(c))) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789'));
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    const c = this.nextCode();
    if (c === EOF) this.pos++;
    return !isAlphaNumeric(c);
  }

  private lexKeywordOrIdentifier(): Token {
    for (;;) {
      const c = this.peekCode();
      if (isAlphaNumeric(c) || c === 58) this.pos++;
      else break;
    }
    const word = this.input.slice(this.start, this.pos);
    const kw = KEYWORDS.get(word.toLowerCase());
    if (kw !== undefined) return this.emit(kw);
    return this.emit(word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER');
  }
}
