// Go's html/template contextual escaping (as of Go 1.19.8, which Debian's Alertmanager 0.25 is
// built with): element text, RCDATA (`<title>`, `<textarea>`), quoted and unquoted attribute values,
// URL attributes (the scheme filter that yields `#ZgotmplZ`, normalizing, query escaping),
// JavaScript in `<script>` and `on*` attributes (values as JSON, string and regexp literals;
// template literals refuse actions), CSS in `<style>` and `style` attributes (the `ZgotmplZ` value
// filter, strings, `url(...)`), and comments (dropped). Like html/template, it rewrites the parse
// trees before execution, appending escaper calls to each printing action's pipeline for the context
// the action appears in; a template called in a context other than text gets a copy escaped for
// that context. Contexts and their transitions are in html-context.ts.
import { cssEscaper, cssValueFilter } from './css-escape';
import { type GoFunc } from './funcs';
import {
  type Ctx,
  TEXT,
  TemplateEscapeError,
  ctxKey,
  escapeText,
  join,
  nudge,
} from './html-context';
import { jsRegexpEscaper, jsStrEscaper, jsValEscaper } from './js-escape';
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

export { TemplateEscapeError };

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
  jsVal: '_html_template_jsvalescaper',
  jsStr: '_html_template_jsstrescaper',
  jsRegexp: '_html_template_jsregexpescaper',
  css: '_html_template_cssescaper',
  cssValue: '_html_template_cssvaluefilter',
  srcset: '_html_template_srcsetescaper',
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
    case 'cssDqStr':
    case 'cssSqStr':
    case 'cssDqUrl':
    case 'cssSqUrl':
    case 'cssUrl': {
      // html/template treats CSS strings as possible URLs.
      const cssStr = c.state === 'cssDqStr' || c.state === 'cssSqStr';
      if (c.urlPart === 'unknown')
        throw new TemplateEscapeError(
          `html/template: ${action} appears in an ambiguous context within a URL`,
        );
      if (c.urlPart === 'query') s.push(ESC.urlEsc);
      else {
        if (c.urlPart === 'none') s.push(ESC.urlFilter);
        s.push(cssStr ? ESC.css : ESC.urlNorm);
      }
      break;
    }
    case 'srcset':
      s.push(ESC.srcset);
      break;
    case 'js':
      s.push(ESC.jsVal);
      // A `/` after a value divides.
      c = { ...c, jsCtx: 'divOp' };
      break;
    case 'jsDqStr':
    case 'jsSqStr':
      s.push(ESC.jsStr);
      break;
    case 'jsBqStr':
      throw new TemplateEscapeError(`html/template: ${action} appears in a JS template literal`);
    case 'jsRegexp':
      s.push(ESC.jsRegexp);
      break;
    case 'css':
      s.push(ESC.cssValue);
      break;
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
      c = { ...c, state: 'attrName' };
      s.push(ESC.name);
      break;
    case 'comment':
    case 'jsBlockCmt':
    case 'jsLineCmt':
    case 'cssBlockCmt':
    case 'cssLineCmt':
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
    const derived = name + ctxKey(c);
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
        const [next, text] = escapeText(c, n.text);
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
 * Throws {@link TemplateEscapeError} where Go 1.19.8's html/template refuses.
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

const isHtmlSpace = (ch: string | undefined): boolean =>
  ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r';

/** One image candidate of a `srcset` (`url 2x`): its URL normalized, or `#ZgotmplZ`. */
function srcsetElement(s: string): string {
  let start = 0;
  while (start < s.length && isHtmlSpace(s[start])) start++;
  let end = start;
  while (end < s.length && !isHtmlSpace(s[end])) end++;
  const url = s.slice(start, end);
  // The descriptor (`2x`, `100w`) may hold only spaces and letters or digits.
  if (isSafeUrl(url) && /^[ \t\n\f\rA-Za-z0-9]*$/.test(s.slice(end)))
    return s.slice(0, start) + processUrl(url, true) + s.slice(end);
  return '#ZgotmplZ';
}

/** html/template's `srcsetFilterAndEscaper`: each comma-separated candidate filtered and normalized. */
const srcsetEscaper = (s: string): string => s.split(',').map(srcsetElement).join(',');

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
  [ESC.jsVal, { ...anyArgs, call: (args) => jsValEscaper(args) }],
  [ESC.jsStr, fn(jsStrEscaper)],
  [ESC.jsRegexp, fn(jsRegexpEscaper)],
  [ESC.css, fn(cssEscaper)],
  [ESC.cssValue, fn(cssValueFilter)],
  [ESC.srcset, fn(srcsetEscaper)],
  ['_eval_args_', fn((s) => s)],
]);
