import { TemplateExecError } from './errors';
import { formatValue } from './fmt';
import { type FuncMap, GoCallError, type GoFunc, type ParamType } from './funcs';
import { GoTime } from './go-time';
import {
  type BranchNode,
  type CommandNode,
  type ListNode,
  type Node,
  type PipeNode,
  nodeString,
} from './nodes';
import { type ParsedTemplate } from './parser';
import { GoMap, GoObject, GoSlice, GoStruct, type GoValue, goTypeName, isTrue } from './values';

/** What a missing map key yields: Go's `missingkey=default|zero|error` option. */
export type MissingKey = 'default' | 'zero' | 'error';

/** How a template runs: its functions and options. */
export interface ExecOptions {
  funcs: FuncMap;
  missingKey?: MissingKey;
}

const MISSING = Symbol('missing');
type Final = GoValue | typeof MISSING;
const MAX_DEPTH = 100000;

class WalkBreak {}
class WalkContinue {}
class ExecAbort extends Error {}

/**
 * Executes a parsed template against `data` as Go's `Template.Execute` does, awaiting functions that
 * return promises. Throws {@link TemplateExecError} with Go's message.
 */
export async function executeTemplate(
  t: ParsedTemplate,
  data: GoValue,
  opts: ExecOptions,
): Promise<string> {
  const root = t.trees.get(t.name);
  const state = new State(t, opts, t.name);
  try {
    if (root === undefined)
      state.errorf(`${JSON.stringify(t.name)} is an incomplete or empty template`);
    state.vars = [{ name: '$', value: data }];
    await state.walk(data, root as ListNode);
  } catch (e) {
    if (e instanceof ExecAbort) throw new TemplateExecError(e.message);
    throw e;
  }
  return state.out;
}

class State {
  out = '';
  vars: Array<{ name: string; value: GoValue }> = [];
  private node: Node | null = null;
  private depth = 0;
  private readonly missingKey: MissingKey;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly opts: ExecOptions,
    private readonly name: string,
  ) {
    this.missingKey = opts.missingKey ?? 'default';
  }

  errorf(message: string): never {
    if (this.node === null) throw new ExecAbort(`template: ${this.name}: ${message}`);
    throw new ExecAbort(
      `template: ${this.location(this.node)}: executing ${JSON.stringify(this.name)} at <${nodeString(this.node)}>: ${message}`,
    );
  }

  /** `name:line:col` of a node, with Go's byte column (0-based on every line). */
  private location(n: Node): string {
    const before = this.tmpl.text.slice(0, n.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + before.split('\n').length - 1;
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8');
    return `${this.tmpl.name}:${line}:${col}`;
  }

  private at(n: Node): void {
    this.node = n;
  }

  async walk(dot: GoValue, node: Node): Promise<void> {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw new WalkBreak();
      case 'continue':
        throw new WalkContinue();
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'list':
        for (const n of node.nodes) await this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out += node.text;
        return;
      case 'pipe':
      case 'command':
      case 'identifier':
      case 'variable':
      case 'dot':
      case 'nil':
      case 'field':
      case 'chain':
      case 'bool':
      case 'number':
      case 'string':
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private async walkIfOrWith(dot: GoValue, node: BranchNode): Promise<void> {
    const mark = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      const [truth, ok] = isTrue(val);
      if (!ok) this.errorf(`if/with can't use ${formatValue(val, 'v', noFlags(), 0)}`);
      if (truth) await this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) await this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private async walkRange(dot: GoValue, node: BranchNode): Promise<void> {
    this.at(node);
    const outer = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const one = async (index: GoValue, elem: GoValue): Promise<void> => {
        const decl = node.pipe.decl;
        if (decl.length > 0) {
          if (node.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.vars[this.vars.length - 1].value = elem;
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.vars[this.vars.length - 2].value = index;
        }
        try {
          await this.walk(elem, node.list);
        } catch (e) {
          if (!(e instanceof WalkContinue)) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let iterated = false;
      if (val instanceof GoSlice) {
        for (let i = 0; i < val.items.length; i++) await one(BigInt(i), val.items[i]);
        iterated = val.items.length > 0;
      } else if (val instanceof GoMap) {
        for (const k of val.sortedKeys()) await one(k, val.entries.get(k));
        iterated = val.entries.size > 0;
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${formatValue(val, 'v', noFlags(), 0)}`);
      }
      if (!iterated && node.elseList) await this.walk(dot, node.elseList);
    } catch (e) {
      if (!(e instanceof WalkBreak)) throw e;
    } finally {
      this.pop(outer);
    }
  }

  private async walkTemplate(dot: GoValue, node: Node & { type: 'template' }): Promise<void> {
    this.at(node);
    const tree = this.tmpl.trees.get(node.name);
    if (tree === undefined) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.depth === MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const value = node.pipe ? await this.evalPipeline(dot, node.pipe) : dot;
    const saved = this.vars;
    this.vars = [{ name: '$', value }];
    this.depth++;
    try {
      await this.walk(value, tree as ListNode);
    } finally {
      this.depth--;
      this.vars = saved;
    }
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i].name === name) return this.vars[i].value;
    this.errorf(`undefined variable: ${name}`);
  }

  private printValue(node: Node, v: GoValue): void {
    this.at(node);
    if (v === undefined) {
      this.out += '<no value>';
      return;
    }
    // Go prints what a pointer points to, so a *sample prints as its struct.
    const printable = v instanceof GoStruct && v.pointer ? new GoStruct(v.structType, v.fields) : v;
    const printed = formatValue(printable, 'v', noFlags(), 0);
    this.out += printed;
  }

  private async evalPipeline(dot: GoValue, pipe: PipeNode): Promise<GoValue> {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = await this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], result);
      else this.vars.push({ name: v.ident[0], value: result });
    }
    return result;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private async evalCommand(dot: GoValue, cmd: CommandNode, final: Final): Promise<GoValue> {
    const first = cmd.args[0];
    if (first.type === 'field')
      return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
    if (first.type === 'chain') return this.evalChain(dot, first, cmd.args, final);
    if (first.type === 'identifier') return this.evalFunction(dot, first, cmd, cmd.args, final);
    if (first.type === 'variable') return this.evalVariable(dot, first, cmd.args, final);
    if (first.type === 'pipe') {
      this.notAFunction(cmd.args, final);
      return this.evalPipeline(dot, first);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    if (first.type === 'bool') return first.value;
    if (first.type === 'dot') return dot;
    if (first.type === 'nil') this.errorf('nil is not a command');
    if (first.type === 'number') return this.idealConstant(first);
    if (first.type === 'string') return first.text;
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private idealConstant(n: Node & { type: 'number' }): GoValue {
    this.at(n);
    const isHex = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !isHex && !n.isChar && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private async evalVariable(
    dot: GoValue,
    v: Node & { type: 'variable' },
    args: Node[],
    final: Final,
  ): Promise<GoValue> {
    this.at(v);
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private async evalChain(
    dot: GoValue,
    chain: Node & { type: 'chain' },
    args: Node[],
    final: Final,
  ): Promise<GoValue> {
    if (chain.node.type === 'nil')
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const value = await this.evalArg(dot, 'interface {}', chain.node);
    return this.evalFieldChain(dot, value, chain, chain.field, args, final);
  }

  private async evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: Node,
    ident: string[],
    args: Node[],
    final: Final,
  ): Promise<GoValue> {
    for (let i = 0; i < ident.length - 1; i++)
      receiver = await this.evalField(dot, ident[i], node, [], MISSING, receiver);
    return this.evalField(dot, ident[ident.length - 1], node, args, final, receiver);
  }

  private async evalField(
    dot: GoValue,
    field: string,
    node: Node,
    args: Node[],
    final: Final,
    receiver: GoValue,
  ): Promise<GoValue> {
    if (receiver === undefined) {
      if (this.missingKey === 'error')
        this.errorf(`nil data; no entry for key ${JSON.stringify(field)}`);
      return undefined;
    }
    if (receiver instanceof GoObject || receiver instanceof GoMap || receiver instanceof GoSlice) {
      // Named Go types (Alertmanager's `template.KV`, `template.Alerts`) carry methods too.
      const method =
        receiver instanceof GoObject
          ? receiver.method(field)
          : (receiver.methods?.get(field) ?? null);
      if (method)
        return this.evalCall(
          dot,
          { params: [], variadic: 'interface {}', call: (a) => method(...a) },
          node,
          field,
          args,
          final,
        );
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct) {
      const f = receiver.field(field);
      if (f) {
        if (hasArgs) this.errorf(`${field} has arguments but cannot be invoked as function`);
        return f.value;
      }
    }
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${field} is not a method but has arguments`);
      if (receiver.entries.has(field)) return receiver.entries.get(field);
      if (this.missingKey === 'zero') return receiver.zero();
      if (this.missingKey === 'error')
        this.errorf(`map has no entry for key ${JSON.stringify(field)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${field}`);
    this.errorf(`can't evaluate field ${field} in type ${goTypeName(receiver)}`);
  }

  private async evalFunction(
    dot: GoValue,
    node: Node & { type: 'identifier' },
    cmd: CommandNode,
    args: Node[],
    final: Final,
  ): Promise<GoValue> {
    this.at(node);
    const fn = this.opts.funcs.get(node.ident);
    if (fn === undefined) this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, node.ident, args, final);
  }

  private async evalCall(
    dot: GoValue,
    fn: GoFunc,
    node: Node,
    name: string,
    allArgs: Node[],
    final: Final,
  ): Promise<GoValue> {
    const args = allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numParams = fn.params.length + (fn.variadic ? 1 : 0);
    if (fn.variadic) {
      if (numIn < fn.params.length)
        this.errorf(
          `wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`,
        );
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }
    if (fn.lazy) {
      let v: GoValue = undefined;
      for (const a of args) {
        v = await this.evalArg(dot, 'reflect.Value', a);
        if (isTrue(v)[0] === (fn.lazy === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: GoValue[] = [];
    let i = 0;
    for (; i < fn.params.length && i < args.length; i++)
      argv.push(await this.evalArg(dot, fn.params[i], args[i]));
    if (fn.variadic)
      for (; i < args.length; i++) argv.push(await this.evalArg(dot, fn.variadic, args[i]));
    if (final !== MISSING) {
      const t = numIn - 1 < fn.params.length ? fn.params[numIn - 1] : (fn.variadic as ParamType);
      argv.push(this.validateType(final, t));
    }
    try {
      return await fn.call(argv);
    } catch (e) {
      if (e instanceof ExecAbort) throw e;
      this.at(node);
      const message =
        e instanceof GoCallError ? e.message : e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${message}`);
    }
  }

  private validateType(value: GoValue, t: ParamType): GoValue {
    if (value === undefined) {
      if (t === 'interface {}' || t === '*template.sample' || t === 'template.queryResult')
        return null;
      if (t === 'reflect.Value') return undefined;
      this.errorf(`invalid value; expected ${t}`);
    }
    if (t === 'interface {}' || t === 'reflect.Value') return value;
    const actual = goTypeName(value);
    if (value === null && (t === '*template.sample' || t === 'template.queryResult')) return null;
    if (actual === t) return value;
    // Go dereferences a pointer argument whose element type is the parameter's (`*time.Time`).
    if (t === 'time.Time' && value instanceof GoTime) return value;
    if (value instanceof GoStruct && value.pointer && value.structType === t)
      return new GoStruct(value.structType, value.fields, false, value.jsonNames);
    this.errorf(`wrong type for value; expected ${t}; got ${actual}`);
  }

  private async evalArg(dot: GoValue, t: ParamType, n: Node): Promise<GoValue> {
    this.at(n);
    if (n.type === 'dot') return this.validateType(dot, t);
    if (n.type === 'nil') {
      if (t === 'interface {}' || t === '*template.sample' || t === 'template.queryResult')
        return null;
      this.errorf(`cannot assign nil to ${t}`);
    }
    if (n.type === 'field')
      return this.validateType(await this.evalFieldChain(dot, dot, n, n.ident, [n], MISSING), t);
    if (n.type === 'variable')
      return this.validateType(await this.evalVariable(dot, n, [], MISSING), t);
    if (n.type === 'pipe') return this.validateType(await this.evalPipeline(dot, n), t);
    if (n.type === 'chain') return this.validateType(await this.evalChain(dot, n, [], MISSING), t);
    if (n.type === 'identifier') {
      const cmd: CommandNode = { type: 'command', pos: n.pos, args: [n] };
      return this.validateType(await this.evalFunction(dot, n, cmd, [n], MISSING), t);
    }
    return this.evalConstantArg(t, n);
  }

  /** A literal argument converted to the parameter's type, as Go's evalBool/evalFloat/... do. */
  private evalConstantArg(t: ParamType, n: Node): GoValue {
    const found = (what: string): never => this.errorf(`expected ${what}; found ${nodeString(n)}`);
    switch (t) {
      case 'bool':
        return n.type === 'bool' ? n.value : found('bool');
      case 'float64':
        return n.type === 'number' && n.isFloat ? n.float : found('float');
      case 'int':
        return n.type === 'number' && n.isInt ? n.int : found('integer');
      case 'string':
        return n.type === 'string' ? n.text : found('string');
      case 'interface {}':
      case 'reflect.Value':
        if (n.type === 'bool') return n.value;
        if (n.type === 'number') return this.idealConstant(n);
        if (n.type === 'string') return n.text;
        break;
      case '*template.sample':
      case 'template.queryResult':
      case 'time.Time':
        break;
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${t}`);
  }
}

function noFlags(): Parameters<typeof formatValue>[2] {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    width: null,
    prec: null,
  };
}
