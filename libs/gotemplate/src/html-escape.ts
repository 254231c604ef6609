// Go's html/template contextual escaping for the contexts HTML notifications use: element text,
// RCDATA (`<title>`, `<textarea>`), quoted and unquoted attribute values, URL attributes (the
// scheme filter that yields `#ZgotmplZ`, normalizing, query escaping) and comments (dropped).
// Like html/template, it rewrites the parse trees before execution, appending escaper calls to
// each printing action's pipeline for the context the action appears in; a template called in a
// context other than text gets a copy escaped for that context. Actions inside scripts, styles or
// event-handler/style attributes are refused: html/template's JavaScript and CSS escapers are not
// built.
import { GoTemplateError, type GoTemplateErrorCode } from './errors';
import { type GoFunc } from './funcs';
import {
  type BranchNode,
  type CommandNode,
  type ListNode,
  type Node,
  type PipeNode,
  nodeString,
} from './nodes';
import { type ParsedTemplate } from './parser';
import { sprint } from './fmt';
import { GoStruct, type GoValue } from './values';

/** html/template refused a template: an action in a context it cannot escape, or branches that end in different contexts. */
export class TemplateEscapeError extends GoTemplateError {
  readonly code: GoTemplateErrorCode = 'template_exec_failed';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateEscapeError';
  }
}

type State =
  | 'text'
  | 'rcdata'
  | 'tag'
  | 'attrName'
  | 'afterName'
  | 'beforeValue'
  | 'attr'
  | 'url'
  | 'js'
  | 'css'
  | 'comment';
type Element = 'none' | 'script' | 'style' | 'textarea' | 'title';
type Attr = 'none' | 'url' | 'style' | 'script';
type Delim = 'none' | 'dq' | 'sq' | 'space';
type UrlPart = 'none' | 'pre' | 'query' | 'unknown';

interface Ctx {
  readonly state: State;
  readonly element: Element;
  readonly attr: Attr;
  readonly delim: Delim;
  readonly urlPart: UrlPart;
}

const TEXT: Ctx = { state: 'text', element: 'none', attr: 'none', delim: 'none', urlPart: 'none' };

const eq = (a: Ctx, b: Ctx): boolean =>
  a.state === b.state &&
  a.element === b.element &&
  a.attr === b.attr &&
  a.delim === b.delim &&
  a.urlPart === b.urlPart;

const key = (c: Ctx): string =>
  c.state === 'text' && c.element === 'none'
    ? ''
    : `$htmltemplate_${c.state}_${c.element}_${c.attr}_${c.delim}_${c.urlPart}`;

/** The content state of an element's body. */
function contentState(e: Element): State {
  if (e === 'script') return 'js';
  if (e === 'style') return 'css';
  if (e === 'textarea' || e === 'title') return 'rcdata';
  return 'text';
}

function elementOf(name: string): Element {
  return name === 'script' || name === 'style' || name === 'textarea' || name === 'title'
    ? name
    : 'none';
}

const URL_ATTRS = new Set([
  'action',
  'archive',
  'background',
  'cite',
  'classid',
  'codebase',
  'data',
  'formaction',
  'href',
  'icon',
  'longdesc',
  'manifest',
  'poster',
  'profile',
  'src',
  'usemap',
  'xmlns',
]);

/** html/template's `attrType`: what an attribute's value holds, by its name. */
function attrOf(rawName: string, element: Element): Attr {
  let name = rawName.toLowerCase();
  if (element === 'script' && name === 'type') return 'none';
  if (name.startsWith('data-')) name = name.slice(5);
  else if (name.includes(':')) {
    const [ns, local] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
    if (ns === 'xmlns') return 'url';
    name = local;
  }
  if (URL_ATTRS.has(name)) return 'url';
  if (name === 'style') return 'style';
  if (name.startsWith('on')) return 'script';
  if (name.includes('src') || name.includes('uri') || name.includes('url')) return 'url';
  return 'none';
}

const SPACE = /[ \t\n\f\r]/;

function eatSpace(s: string, i: number): number {
  while (i < s.length && SPACE.test(s[i])) i++;
  return i;
}

/** The context after `s` and `s` as html/template writes it (comments dropped). */
function transition(c: Ctx, s: string): [Ctx, string] {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (c.delim !== 'none') {
      // Inside an attribute value, up to its end.
      const ends = c.delim === 'dq' ? '"' : c.delim === 'sq' ? "'" : ' \t\n\f\r>';
      let j = i;
      while (j < s.length && !ends.includes(s[j])) j++;
      const part = s.slice(i, j);
      if (c.state === 'url') {
        if (/[#?]/.test(part)) c = { ...c, urlPart: 'query' };
        else if (eatSpace(part, 0) !== part.length && c.urlPart === 'none')
          c = { ...c, urlPart: 'pre' };
      }
      out += part;
      if (j === s.length) return [c, out];
      const quoted = c.delim !== 'space';
      out += quoted ? s[j] : '';
      i = quoted ? j + 1 : j;
      c = { ...TEXT, state: 'tag', element: c.element };
      continue;
    }
    switch (c.state) {
      case 'text': {
        const j = s.indexOf('<', i);
        if (j < 0) return [c, out + s.slice(i)];
        if (s.startsWith('<!--', j)) {
          out += s.slice(i, j);
          i = j + 4;
          c = { ...c, state: 'comment' };
          break;
        }
        const end = s[j + 1] === '/';
        const k = end ? j + 2 : j + 1;
        const name = /^[a-zA-Z][a-zA-Z0-9:-]*/.exec(s.slice(k))?.[0];
        if (name === undefined) {
          out += s.slice(i, j + 1);
          i = j + 1;
          break;
        }
        out += s.slice(i, k + name.length);
        i = k + name.length;
        c = { ...TEXT, state: 'tag', element: end ? 'none' : elementOf(name.toLowerCase()) };
        break;
      }
      case 'comment': {
        const j = s.indexOf('-->', i);
        if (j < 0) return [c, out];
        i = j + 3;
        c = TEXT;
        break;
      }
      case 'rcdata':
      case 'js':
      case 'css': {
        const m = new RegExp(`</${c.element}(?![a-zA-Z0-9])`, 'i').exec(s.slice(i));
        if (m === null) return [c, out + s.slice(i)];
        out += s.slice(i, i + m.index);
        i += m.index;
        c = TEXT;
        break;
      }
      case 'tag': {
        const j = eatSpace(s, i);
        out += s.slice(i, j);
        i = j;
        if (i === s.length) return [c, out];
        if (s[i] === '>') {
          out += '>';
          i++;
          c = { ...TEXT, state: contentState(c.element), element: c.element };
          break;
        }
        const name = /^[^ \t\n\f\r=>]+/.exec(s.slice(i))?.[0] ?? '';
        if (name === '' || /['"<]/.test(name))
          throw new TemplateEscapeError(
            `html/template: expected space, attr name, or end of tag, but got ${JSON.stringify(s.slice(i))}`,
          );
        out += name;
        i += name.length;
        c = {
          ...TEXT,
          state: i === s.length ? 'attrName' : 'afterName',
          element: c.element,
          attr: attrOf(name, c.element),
        };
        break;
      }
      case 'attrName': {
        const name = /^[^ \t\n\f\r=>]*/.exec(s.slice(i))?.[0] ?? '';
        out += name;
        i += name.length;
        if (i < s.length) c = { ...c, state: 'afterName' };
        break;
      }
      case 'afterName': {
        const j = eatSpace(s, i);
        out += s.slice(i, j);
        i = j;
        if (i === s.length) return [c, out];
        if (s[i] !== '=') c = { ...c, state: 'tag' };
        else {
          out += '=';
          i++;
          c = { ...c, state: 'beforeValue' };
        }
        break;
      }
      case 'beforeValue': {
        const j = eatSpace(s, i);
        out += s.slice(i, j);
        i = j;
        if (i === s.length) return [c, out];
        let delim: Delim = 'space';
        if (s[i] === '"' || s[i] === "'") {
          delim = s[i] === '"' ? 'dq' : 'sq';
          out += s[i];
          i++;
        }
        c = { ...c, state: attrStart(c.attr), delim, urlPart: 'none' };
        break;
      }
      case 'attr':
      case 'url':
        // Unreachable: attribute values always have a delimiter.
        return [c, out + s.slice(i)];
    }
  }
  return [c, out];
}

function attrStart(a: Attr): State {
  return a === 'url' ? 'url' : a === 'style' ? 'css' : a === 'script' ? 'js' : 'attr';
}

/** html/template's `nudge`: an action where a value or name would start. */
function nudge(c: Ctx): Ctx {
  if (c.state === 'tag' || c.state === 'afterName') return { ...c, state: 'attrName' };
  if (c.state === 'beforeValue')
    return { ...c, state: attrStart(c.attr), delim: 'space', urlPart: 'none' };
  return c;
}

/** The context after two branches: equal ones, or one URL of unknown part, or an error. */
function join(a: Ctx, b: Ctx, what: string): Ctx {
  if (eq(a, b)) return a;
  if (eq({ ...a, urlPart: b.urlPart }, b)) return { ...a, urlPart: 'unknown' };
  if (eq(nudge(a), b)) return b;
  if (eq(a, nudge(b))) return a;
  throw new TemplateEscapeError(`html/template: {{${what}}} branches end in different contexts`);
}

const ESC = {
  html: '_html_template_htmlescaper',
  rcdata: '_html_template_rcdataescaper',
  attr: '_html_template_attrescaper',
  nospace: '_html_template_nospaceescaper',
  urlFilter: '_html_template_urlfilter',
  urlNorm: '_html_template_urlnormalizer',
  urlEsc: '_html_template_urlescaper',
  comment: '_html_template_commentescaper',
  name: '_html_template_htmlnamefilter',
} as const;
/** Variants for a pipeline ending in `safeHtml` (Go's `template.HTML` content). */
const TYPED_HTML: Readonly<Record<string, string | null>> = {
  [ESC.html]: null,
  [ESC.rcdata]: '_html_template_rcdataescaper_html',
  [ESC.attr]: '_html_template_attrescaper_html',
  [ESC.nospace]: '_html_template_nospaceescaper_html',
};
const EQUIVALENT: Readonly<Record<string, string>> = {
  [ESC.attr]: 'html',
  [ESC.html]: 'html',
  [ESC.rcdata]: 'html',
  [ESC.urlEsc]: 'urlquery',
  [ESC.urlNorm]: 'urlquery',
};
const PREDEFINED = new Set(['html', 'urlquery']);

/** The escapers an action in context `c` needs, and the context after it. */
function escapersFor(c: Ctx, action: string): [Ctx, string[]] {
  c = nudge(c);
  const s: string[] = [];
  switch (c.state) {
    case 'url':
      if (c.urlPart === 'unknown')
        throw new TemplateEscapeError(
          `html/template: ${action} appears in an ambiguous context within a URL`,
        );
      if (c.urlPart === 'none') s.push(ESC.urlFilter, ESC.urlNorm);
      else if (c.urlPart === 'pre') s.push(ESC.urlNorm);
      else s.push(ESC.urlEsc);
      break;
    case 'js':
    case 'css':
      throw new TemplateEscapeError(
        `html/template: ${action} is in a script or style context, which Strata does not escape`,
      );
    case 'text':
      s.push(ESC.html);
      break;
    case 'rcdata':
      s.push(ESC.rcdata);
      break;
    case 'attr':
      break;
    case 'attrName':
    case 'tag':
      s.push(ESC.name);
      break;
    case 'comment':
      s.push(ESC.comment);
      break;
    case 'afterName':
    case 'beforeValue':
      break;
  }
  if (c.delim === 'space') s.push(ESC.nospace);
  else if (c.delim !== 'none') s.push(ESC.attr);
  return [c, s];
}

const ident = (name: string, pos: number): CommandNode => ({
  type: 'command',
  pos,
  args: [{ type: 'identifier', pos, ident: name }],
});

const identOf = (cmd: CommandNode | undefined): string | undefined => {
  const a = cmd?.args[0];
  return a?.type === 'identifier' ? a.ident : undefined;
};

/** html/template's `ensurePipelineContains`: the escapers appended, a trailing `html`/`urlquery` merged. */
function withEscapers(pipe: PipeNode, needed: string[], action: string): PipeNode {
  let cmds = [...pipe.cmds];
  cmds.forEach((cmd, i) => {
    const id = identOf(cmd);
    if (id !== undefined && PREDEFINED.has(id) && i < cmds.length - 1)
      throw new TemplateEscapeError(
        `html/template: predefined escaper ${JSON.stringify(id)} disallowed in template (${action})`,
      );
  });
  const last = cmds[cmds.length - 1];
  const lastId = identOf(last);
  let s = [...needed];
  if (lastId === 'safeHtml')
    s = s.flatMap((e) => (e in TYPED_HTML ? (TYPED_HTML[e] === null ? [] : [TYPED_HTML[e]]) : [e]));
  let keep = cmds.length;
  if (lastId !== undefined && PREDEFINED.has(lastId)) {
    if (cmds.length === 1 && last.args.length > 1) {
      // `{{ html .A .B }}` is `{{ _eval_args_ .A .B | html }}`, so the escaper can merge.
      cmds = [
        {
          ...last,
          args: [
            { type: 'identifier', pos: last.pos, ident: '_eval_args_' },
            ...last.args.slice(1),
          ],
        },
        ident(lastId, last.pos),
      ];
      keep = 2;
    }
    let dup = false;
    s = s.map((e) => {
      if (EQUIVALENT[e] === lastId) {
        dup = true;
        return lastId;
      }
      return e;
    });
    if (dup) keep--;
  }
  const out = cmds.slice(0, keep);
  const present = new Set(out.map((c) => identOf(c)).filter((x) => x !== undefined));
  for (const e of s) if (!present.has(e)) out.push(ident(e, pipe.pos));
  return { ...pipe, cmds: out };
}

/** Rewrites templates for html/template's contextual escaping. */
class Escaper {
  readonly out = new Map<string, ListNode>();
  private readonly ends = new Map<string, Ctx>();

  constructor(private readonly trees: ReadonlyMap<string, ListNode>) {}

  /** The name a template escaped for `c` is kept under, after escaping it. */
  template(name: string, c: Ctx): [string, Ctx] {
    const derived = name + key(c);
    const known = this.ends.get(derived);
    if (known !== undefined) return [derived, known];
    const tree = this.trees.get(name);
    if (tree === undefined) return [derived, c];
    // A recursive call sees the start context as the end, as html/template assumes first.
    this.ends.set(derived, c);
    const [end, list] = this.list(tree, c);
    this.ends.set(derived, end);
    this.out.set(derived, list);
    return [derived, end];
  }

  private list(n: ListNode, c: Ctx): [Ctx, ListNode] {
    const nodes: Node[] = [];
    for (const child of n.nodes) {
      const [next, node] = this.node(child, c);
      c = next;
      if (node !== null) nodes.push(node);
    }
    return [c, { ...n, nodes }];
  }

  private node(n: Node, c: Ctx): [Ctx, Node | null] {
    switch (n.type) {
      case 'text': {
        const [next, text] = transition(c, n.text);
        return [next, text === '' ? null : { ...n, text }];
      }
      case 'action': {
        if (n.pipe.decl.length > 0) return [c, n];
        const action = `${nodeString(n)} (line ${n.line})`;
        const [next, escapers] = escapersFor(c, action);
        return [next, { ...n, pipe: withEscapers(n.pipe, escapers, action) }];
      }
      case 'if':
      case 'with':
      case 'range':
        return this.branch(n, c);
      case 'template': {
        const [name, end] = this.template(n.name, c);
        return [end, { ...n, name }];
      }
      case 'list':
        return this.list(n, c);
      case 'comment':
      case 'break':
      case 'continue':
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
        return [c, n];
    }
  }

  private branch(n: BranchNode, c: Ctx): [Ctx, Node] {
    const [first, list] = this.list(n.list, c);
    let c0 = first;
    if (n.type === 'range') {
      // The body may run again from where it ended.
      const [c1] = this.list(n.list, c0);
      c0 = join(c0, c1, 'range');
    }
    const [c1, elseList] = n.elseList === null ? [c, null] : this.list(n.elseList, c);
    return [join(c0, c1, n.type), { ...n, list, elseList }];
  }
}

/**
 * The template set rewritten as html/template rewrites it before executing `t.name`: each printing
 * action escaped for its context, templates called in other contexts copied under derived names.
 * Throws {@link TemplateEscapeError} where html/template refuses (or Strata cannot escape).
 */
export function escapeHtmlTemplate(t: ParsedTemplate): ParsedTemplate {
  const e = new Escaper(t.trees);
  const [name, end] = e.template(t.name, TEXT);
  if (end.state !== 'text')
    throw new TemplateEscapeError(
      `html/template: ${JSON.stringify(t.name)} ends in a non-text context`,
    );
  return { name, text: t.text, trees: new Map([...t.trees, ...e.out]) };
}

function stringify(args: GoValue[]): string {
  // html/template skips untyped nil arguments rather than printing `<nil>`.
  const kept = args.filter((a) => a !== null && a !== undefined);
  if (kept.length === 1 && typeof kept[0] === 'string') return kept[0];
  return sprint(
    kept.map((a) =>
      a instanceof GoStruct && a.pointer ? new GoStruct(a.structType, a.fields) : a,
    ),
  );
}

type Table = Readonly<Record<string, string>>;
const HTML: Table = {
  '\0': '\ufffd',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const HTML_NORM: Table = {
  '\0': '\ufffd',
  '"': '&#34;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const NOSPACE: Table = {
  '\0': '&#xfffd;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\v': '&#11;',
  '\f': '&#12;',
  '\r': '&#13;',
  ' ': '&#32;',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '=': '&#61;',
  '>': '&gt;',
  '`': '&#96;',
};
const NOSPACE_NORM: Table = Object.fromEntries(Object.entries(NOSPACE).filter(([k]) => k !== '&'));

function replace(s: string, table: Table, badRunes: boolean): string {
  let out = '';
  for (const ch of s) {
    const r = table[ch];
    const cp = ch.codePointAt(0) as number;
    if (r !== undefined) out += r;
    else if (!badRunes && ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp >= 0xfff0 && cp <= 0xffff)))
      out += `&#x${cp.toString(16)};`;
    else out += ch;
  }
  return out;
}

/** html/template's `stripTags`: the text of an HTML snippet (tags, comments, scripts and styles dropped). */
function stripTags(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .replace(/<\/?[a-zA-Z][a-zA-Z0-9:-]*(?:[^>"']|"[^"]*"|'[^']*')*(?:>|$)/g, '');
}

const URL_KEEP = /[A-Za-z0-9\-._~]/;
const URL_RESERVED = '!#$&*+,/:;=?@[]';

function processUrl(s: string, norm: boolean): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const ch = String.fromCharCode(b);
    if (b < 0x80 && URL_KEEP.test(ch)) out += ch;
    else if (b < 0x80 && norm && URL_RESERVED.includes(ch)) out += ch;
    else if (
      b === 0x25 &&
      norm &&
      i + 2 < bytes.length &&
      /[0-9a-fA-F]/.test(String.fromCharCode(bytes[i + 1])) &&
      /[0-9a-fA-F]/.test(String.fromCharCode(bytes[i + 2]))
    )
      out += ch;
    else out += `%${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Whether a URL's scheme is one html/template lets through (http, https, mailto or none). */
function isSafeUrl(s: string): boolean {
  const colon = s.indexOf(':');
  if (colon < 0) return true;
  const scheme = s.slice(0, colon);
  if (scheme.includes('/')) return true;
  return ['http', 'https', 'mailto'].includes(scheme.toLowerCase());
}

const anyArgs = { params: [], variadic: 'interface {}' } as const;
const fn = (f: (s: string) => string): GoFunc => ({
  ...anyArgs,
  call: (args) => f(stringify(args)),
});

/** The escaper functions {@link escapeHtmlTemplate} calls; add them to the execution's functions. */
export const HTML_ESCAPERS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  [ESC.html, fn((s) => replace(s, HTML, true))],
  [ESC.rcdata, fn((s) => replace(s, HTML, true))],
  ['_html_template_rcdataescaper_html', fn((s) => replace(s, HTML_NORM, true))],
  [ESC.attr, fn((s) => replace(s, HTML, true))],
  ['_html_template_attrescaper_html', fn((s) => replace(stripTags(s), HTML_NORM, true))],
  [ESC.nospace, fn((s) => replace(s, NOSPACE, false))],
  ['_html_template_nospaceescaper_html', fn((s) => replace(stripTags(s), NOSPACE_NORM, false))],
  [ESC.urlFilter, fn((s) => (isSafeUrl(s) ? s : '#ZgotmplZ'))],
  [ESC.urlNorm, fn((s) => processUrl(s, true))],
  [ESC.urlEsc, fn((s) => processUrl(s, false))],
  [ESC.comment, fn(() => '')],
  [ESC.name, fn((s) => (/^[A-Za-z0-9]*$/.test(s) ? s : 'ZgotmplZ'))],
  ['_eval_args_', fn((s) => s)],
]);
