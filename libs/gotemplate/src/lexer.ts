import { goQuote } from './go-quote';

/** Token kinds of Go's text/template lexer. */
export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'comment'
  | 'assign'
  | 'declare'
  | 'dot'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'keyword';

/** One token: its kind, text, byte-free character offset into the template and 1-based line. */
export interface Item {
  type: ItemType;
  val: string;
  pos: number;
  line: number;
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'nil',
  'template',
  'with',
]);
const LEFT = '{{';
const RIGHT = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

/** Renders a token the way Go's `item.String()` does in parse errors. */
export function itemString(i: Item): string {
  if (i.type === 'eof') return 'EOF';
  if (i.type === 'error') return i.val;
  if (i.type === 'keyword') return `<${i.val}>`;
  if ([...i.val].length > 10) return `${goQuote([...i.val].slice(0, 10).join(''))}...`;
  return goQuote(i.val);
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string): boolean => c === '_' || /[\p{L}\p{Nd}]/u.test(c);

/**
 * Splits a template into tokens exactly as Go's text/template lexer does, including trim markers
 * (`{{- ` and ` -}}`), comments, and the error items that become parse errors.
 */
export function lex(input: string): Item[] {
  return new Lexer(input).run();
}

class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  private readonly items: Item[] = [];
  private done = false;

  constructor(private readonly input: string) {}

  run(): Item[] {
    let state: (() => (() => unknown) | null) | null = () => this.lexText();
    while (state !== null && !this.done) state = state() as (() => (() => unknown) | null) | null;
    return this.items;
  }

  private emit(type: ItemType): void {
    this.items.push({
      type,
      val: this.input.slice(this.start, this.pos),
      pos: this.start,
      line: this.startLine,
    });
    this.start = this.pos;
    this.startLine = this.line;
  }

  private ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  private errorf(message: string): null {
    this.items.push({ type: 'error', val: message, pos: this.start, line: this.startLine });
    this.done = true;
    return null;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.pos = this.input.length + 1;
      return '';
    }
    const ch = String.fromCodePoint(this.input.codePointAt(this.pos) as number);
    this.pos += ch.length;
    if (ch === '\n') this.line++;
    return ch;
  }

  private backup(ch: string): void {
    if (ch === '') {
      this.pos = this.input.length;
      return;
    }
    this.pos -= ch.length;
    if (ch === '\n') this.line--;
  }

  private peek(): string {
    const ch = this.next();
    this.backup(ch);
    return ch;
  }

  private lexText(): (() => unknown) | null {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x >= 0) {
      const trimLength = this.atTrimMarker(x + LEFT.length, 'left') ? 2 : 0;
      let end = x;
      if (trimLength > 0) end = x - trailingSpace(this.input.slice(this.pos, x));
      this.line += countNewlines(this.input.slice(this.pos, end));
      this.pos = end;
      if (this.pos > this.start) {
        this.items.push({
          type: 'text',
          val: this.input.slice(this.start, this.pos),
          pos: this.start,
          line: this.startLine,
        });
      }
      this.line += countNewlines(this.input.slice(this.pos, x));
      this.pos = x;
      this.start = x;
      this.startLine = this.line;
      return () => this.lexLeftDelim(trimLength);
    }
    this.line += countNewlines(this.input.slice(this.pos));
    this.pos = this.input.length;
    if (this.pos > this.start) {
      this.items.push({
        type: 'text',
        val: this.input.slice(this.start, this.pos),
        pos: this.start,
        line: this.startLine,
      });
      this.start = this.pos;
      this.startLine = this.line;
    }
    this.emit('eof');
    return null;
  }

  private atTrimMarker(at: number, side: 'left' | 'right'): boolean {
    if (side === 'left') return this.input[at] === '-' && isSpace(this.input[at + 1] ?? '');
    return isSpace(this.input[at] ?? '') && this.input[at + 1] === '-';
  }

  private lexLeftDelim(trimLength: number): (() => unknown) | null {
    this.pos += LEFT.length;
    const afterMarker = trimLength;
    if (this.input.startsWith(LEFT_COMMENT, this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return () => this.lexComment();
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return () => this.lexInsideAction();
  }

  private lexComment(): (() => unknown) | null {
    this.pos += LEFT_COMMENT.length;
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos);
    if (x < 0) return this.errorf('unclosed comment');
    this.line += countNewlines(this.input.slice(this.pos, x + RIGHT_COMMENT.length));
    this.pos = x + RIGHT_COMMENT.length;
    const [delim, trimSpace] = this.atRightDelim();
    if (!delim) return this.errorf('comment ends before closing delimiter');
    this.emit('comment');
    if (trimSpace) this.pos += 2;
    this.pos += RIGHT.length;
    if (trimSpace) this.pos += leadingSpace(this.input.slice(this.pos));
    this.ignore();
    return () => this.lexText();
  }

  private atRightDelim(): [delim: boolean, trimSpaces: boolean] {
    if (this.atTrimMarker(this.pos, 'right') && this.input.startsWith(RIGHT, this.pos + 2))
      return [true, true];
    if (this.input.startsWith(RIGHT, this.pos)) return [true, false];
    return [false, false];
  }

  private lexRightDelim(): (() => unknown) | null {
    const [, trimSpace] = this.atRightDelim();
    if (trimSpace) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trimSpace) {
      this.pos += leadingSpace(this.input.slice(this.pos));
      this.ignore();
    }
    return () => this.lexText();
  }

  private lexInsideAction(): (() => unknown) | null {
    const [delim] = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) return () => this.lexRightDelim();
      return this.errorf('unclosed left paren');
    }
    const r = this.next();
    if (r === '') return this.errorf('unclosed action');
    if (isSpace(r)) {
      this.backup(r);
      return () => this.lexSpace();
    }
    if (r === '=') {
      this.emit('assign');
    } else if (r === ':') {
      if (this.next() !== '=') return this.errorf('expected :=');
      this.emit('declare');
    } else if (r === '|') {
      this.emit('pipe');
    } else if (r === '"') {
      return () => this.lexQuote();
    } else if (r === '`') {
      return () => this.lexRawQuote();
    } else if (r === '$') {
      return () => this.lexFieldOrVariable('variable');
    } else if (r === "'") {
      return () => this.lexChar();
    } else if (r === '.') {
      if (this.pos < this.input.length) {
        const c = this.input[this.pos];
        if (c < '0' || c > '9') return () => this.lexFieldOrVariable('field');
      }
      this.backup(r);
      return () => this.lexNumber();
    } else if (r === '+' || r === '-' || (r >= '0' && r <= '9')) {
      this.backup(r);
      return () => this.lexNumber();
    } else if (isAlnum(r)) {
      this.backup(r);
      return () => this.lexIdentifier();
    } else if (r === '(') {
      this.emit('leftParen');
      this.parenDepth++;
    } else if (r === ')') {
      this.emit('rightParen');
      this.parenDepth--;
      if (this.parenDepth < 0) return this.errorf('unexpected right paren');
    } else if ((r.codePointAt(0) ?? 0) <= 0x7f && /[\x21-\x7e]/.test(r)) {
      this.emit('char');
    } else {
      return this.errorf(`unrecognized character in action: ${goRuneU(r)}`);
    }
    return () => this.lexInsideAction();
  }

  private lexSpace(): (() => unknown) | null {
    let numSpaces = 0;
    for (;;) {
      const r = this.peek();
      if (!isSpace(r)) break;
      this.next();
      numSpaces++;
    }
    // A space right before a trim marker belongs to the marker, so it is not a token of its own.
    if (this.atTrimMarker(this.pos - 1, 'right') && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.backup(' ');
      if (numSpaces === 1) return () => this.lexRightDelim();
    }
    this.emit('space');
    return () => this.lexInsideAction();
  }

  private lexIdentifier(): (() => unknown) | null {
    for (;;) {
      const r = this.next();
      if (r !== '' && isAlnum(r)) continue;
      this.backup(r);
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.errorf(`bad character ${goRuneU(this.peek())}`);
      if (KEYWORDS.has(word)) this.emit('keyword');
      else if (word === 'true' || word === 'false') this.emit('bool');
      else this.emit('identifier');
      return () => this.lexInsideAction();
    }
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): (() => unknown) | null {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return () => this.lexInsideAction();
    }
    for (;;) {
      const r = this.next();
      if (r !== '' && isAlnum(r)) continue;
      this.backup(r);
      break;
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${goRuneU(this.peek())}`);
    this.emit(type);
    return () => this.lexInsideAction();
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (r === '' || isSpace(r)) return true;
    if ('.,|:)('.includes(r)) return true;
    return this.input.startsWith(RIGHT, this.pos);
  }

  private lexChar(): (() => unknown) | null {
    for (;;) {
      const r = this.next();
      if (r === '\\') {
        const n = this.next();
        if (n !== '' && n !== '\n') continue;
      }
      if (r === '' || r === '\n') return this.errorf('unterminated character constant');
      if (r === "'") break;
    }
    this.emit('charConstant');
    return () => this.lexInsideAction();
  }

  private lexNumber(): (() => unknown) | null {
    if (!this.scanNumber())
      return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
    this.emit('number');
    return () => this.lexInsideAction();
  }

  private scanNumber(): boolean {
    const accept = (valid: string): boolean => {
      const r = this.next();
      if (r !== '' && valid.includes(r)) return true;
      this.backup(r);
      return false;
    };
    const acceptRun = (valid: string): void => {
      while (accept(valid));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    const r = this.peek();
    if (r !== '' && isAlnum(r)) {
      this.next();
      return false;
    }
    return true;
  }

  private lexQuote(): (() => unknown) | null {
    for (;;) {
      const r = this.next();
      if (r === '\\') {
        const n = this.next();
        if (n !== '' && n !== '\n') continue;
        return this.errorf('unterminated quoted string');
      }
      if (r === '' || r === '\n') return this.errorf('unterminated quoted string');
      if (r === '"') break;
    }
    this.emit('string');
    return () => this.lexInsideAction();
  }

  private lexRawQuote(): (() => unknown) | null {
    for (;;) {
      const r = this.next();
      if (r === '') return this.errorf('unterminated raw quoted string');
      if (r === '`') break;
    }
    this.emit('rawString');
    return () => this.lexInsideAction();
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function trailingSpace(s: string): number {
  let n = 0;
  while (n < s.length && isSpace(s[s.length - 1 - n])) n++;
  return n;
}

function leadingSpace(s: string): number {
  let n = 0;
  while (n < s.length && isSpace(s[n])) n++;
  return n;
}

/** Go's `%#U` of a rune: `U+0040 '@'`. */
function goRuneU(r: string): string {
  const c = r.codePointAt(0) ?? 0;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}
