import { TemplateParseError } from './errors';
import { type Item, itemString, lex } from './lexer';
import {
  type BranchNode,
  type CommandNode,
  type ListNode,
  type Node,
  type PipeNode,
  nodeString,
} from './nodes';
import { parseNumber } from './numbers';
import { unquoteGo } from './unquote';

/** A parsed template and the `define`d templates it carries, by name. */
export interface ParsedTemplate {
  name: string;
  text: string;
  trees: Map<string, ListNode>;
}

/** Tokens that can start a command of a pipeline (besides the `nil` keyword). */
const OPERAND_START: ReadonlySet<Item['type']> = new Set<Item['type']>([
  'bool',
  'charConstant',
  'dot',
  'field',
  'identifier',
  'number',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

type End = { type: 'end'; pos: number } | { type: 'else'; pos: number; line: number };

class Abort extends Error {}

/**
 * Parses Go text/template source as `template.New(name).Funcs(funcs).Parse(text)` does, with its
 * checks (unknown functions, undefined variables, misplaced `{{end}}`...) and error wording.
 * Throws {@link TemplateParseError}.
 */
export function parseTemplate(
  name: string,
  text: string,
  hasFunction: (name: string) => boolean,
): ParsedTemplate {
  const trees = new Map<string, ListNode>();
  const p = new Parser(name, text, lex(text), hasFunction, trees);
  try {
    const root = p.parseRoot();
    // Go keeps a previously defined body when the new one is empty (only spaces).
    if (!trees.has(name) || !isEmptyTree(root)) trees.set(name, root);
  } catch (e) {
    if (e instanceof Abort) throw new TemplateParseError(e.message);
    throw e;
  }
  return { name, text, trees };
}

function isEmptyTree(n: Node): boolean {
  if (n.type === 'list') return n.nodes.every(isEmptyTree);
  if (n.type === 'text') return n.text.trim() === '';
  return n.type === 'comment';
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private lastLine = 1;
  private furthest = -1;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly items: Item[],
    private readonly hasFunction: (name: string) => boolean,
    private readonly trees: Map<string, ListNode>,
  ) {}

  private errorf(message: string): never {
    throw new Abort(`template: ${this.name}:${this.lastLine}: ${message}`);
  }

  private next(): Item {
    const item = this.items[Math.min(this.i, this.items.length - 1)];
    this.i++;
    this.seen();
    return item;
  }

  /** Go reports a parse error at the line of the furthest token lexed so far, even when backed up. */
  private seen(): void {
    const at = Math.min(this.i - 1, this.items.length - 1);
    if (at > this.furthest) {
      this.furthest = at;
      this.lastLine = this.items[at].line;
    }
  }

  private backup(n = 1): void {
    this.i -= n;
  }

  private peek(): Item {
    const item = this.next();
    this.backup();
    return item;
  }

  private nextNonSpace(): Item {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private expect(type: Item['type'], context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Item, context: string): never {
    if (t.type === 'error') {
      const extra =
        this.actionLine !== 0 && this.actionLine !== t.line
          ? ` in action started at ${this.name}:${this.actionLine}`
          : '';
      this.errorf(`${itemString(t)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`);
  }

  private isKeyword(t: Item, word: string): boolean {
    return t.type === 'keyword' && t.val === word;
  }

  parseRoot(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.isKeyword(this.nextNonSpace(), 'define')) {
          this.parseDefinition();
          continue;
        }
        this.i = this.items.indexOf(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end') this.errorf('unexpected {{end}}');
      if (n.type === 'else') this.errorf('unexpected {{else}}');
      root.nodes.push(n);
    }
    return root;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const name = this.unquote(t.val);
    this.expect('rightDelim', context);
    const outerVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = outerVars;
    if (end.type !== 'end') this.errorf(`unexpected ${endString(end)} in ${context}`);
    if (!this.trees.has(name) || !isEmptyTree(list)) this.trees.set(name, list);
  }

  private itemList(): [ListNode, End] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | End {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { type: 'text', pos: t.pos, text: t.val };
    if (t.type === 'comment') return { type: 'comment', pos: t.pos, text: t.val };
    if (t.type !== 'leftDelim') this.unexpected(t, 'input');
    this.actionLine = t.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  private action(): Node | End {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'block':
          return this.blockControl();
        case 'break':
        case 'continue': {
          const close = this.nextNonSpace();
          if (close.type !== 'rightDelim') this.unexpected(close, `{{${t.val}}}`);
          if (this.rangeDepth === 0) this.errorf(`{{${t.val}}} outside {{range}}`);
          return { type: t.val, pos: t.pos, line: t.line };
        }
        case 'else': {
          const peek = this.peekNonSpace();
          if (this.isKeyword(peek, 'if') || this.isKeyword(peek, 'with'))
            return { type: 'else', pos: peek.pos, line: peek.line };
          const close = this.expect('rightDelim', 'else');
          return { type: 'else', pos: close.pos, line: close.line };
        }
        case 'end':
          return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.val);
        case 'template':
          return this.templateControl();
      }
    }
    this.backup();
    const start = this.peek();
    return {
      type: 'action',
      pos: start.pos,
      line: start.line,
      pipe: this.pipeline('command', 'rightDelim'),
    };
  }

  private control(context: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      const [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        const peek = this.peek();
        if ((context === 'if' || context === 'with') && this.isKeyword(peek, context)) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.control(context)] };
        } else {
          const [els, end] = this.itemList();
          if (end.type !== 'end') this.errorf(`expected end; found ${endString(end)}`);
          elseList = els;
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private blockControl(): Node {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const outerVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = outerVars;
    if (end.type !== 'end') this.errorf(`unexpected ${endString(end)} in ${context}`);
    if (!this.trees.has(name) || !isEmptyTree(list)) this.trees.set(name, list);
    return { type: 'template', pos: t.pos, line: t.line, name, pipe };
  }

  private templateControl(): Node {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, line: t.line, name, pipe };
  }

  private templateName(t: Item, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquote(t.val);
  }

  private unquote(quoted: string): string {
    const s = unquoteGo(quoted);
    if (s === null) this.errorf('invalid syntax');
    return s;
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: start.pos,
      line: start.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const vAt = this.items.indexOf(v);
      this.i = vAt + 1;
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = vAt;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(t.type) && !(t.type === 'keyword' && t.val === 'nil'))
        this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const first = c.args[0].type;
      if (
        first === 'bool' ||
        first === 'dot' ||
        first === 'nil' ||
        first === 'number' ||
        first === 'string'
      ) {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().type === 'field') {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
      if (node.type === 'field') node = { type: 'field', pos, ident: [...node.ident, ...fields] };
      else if (node.type === 'variable')
        node = { type: 'variable', pos, ident: [...node.ident, ...fields] };
      else if (['bool', 'string', 'number', 'nil', 'dot'].includes(node.type)) {
        this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      } else node = { type: 'chain', pos, node, field: fields };
    }
    return node;
  }

  private term(): Node | null {
    const t = this.nextNonSpace();
    const { type, pos, val } = t;
    if (type === 'identifier') {
      if (!this.hasFunction(val)) this.errorf(`function ${JSON.stringify(val)} not defined`);
      return { type: 'identifier', pos, ident: val };
    }
    if (type === 'dot') return { type: 'dot', pos };
    if (type === 'keyword' && val === 'nil') return { type: 'nil', pos };
    if (type === 'variable') {
      const ident = val.split('.');
      if (!this.vars.includes(ident[0]))
        this.errorf(`undefined variable ${JSON.stringify(ident[0])}`);
      return { type: 'variable', pos, ident };
    }
    if (type === 'field') return { type: 'field', pos, ident: val.slice(1).split('.') };
    if (type === 'bool') return { type: 'bool', pos, value: val === 'true' };
    if (type === 'charConstant' || type === 'number') {
      const n = parseNumber(val, type === 'charConstant');
      if (typeof n === 'string') this.errorf(n);
      return { type: 'number', pos, ...n };
    }
    if (type === 'leftParen') return this.pipeline('parenthesized pipeline', 'rightParen');
    if (type === 'string' || type === 'rawString')
      return { type: 'string', pos, quoted: val, text: this.unquote(val) };
    this.backup();
    return null;
  }
}

function endString(e: End): string {
  return e.type === 'end' ? '{{end}}' : '{{else}}';
}
