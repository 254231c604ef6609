// The contexts Go's html/template tracks through template text (as of Go 1.19.8, which Debian's
// Alertmanager 0.25 is built with): HTML text, tags, attributes, URLs, JavaScript (values,
// strings, regexps, comments; template literals refuse actions) and CSS (values, strings, url(),
// comments). `escapeText` walks a text node, returning the context after it and the text as
// html/template writes it: HTML, JS and CSS comments dropped, a stray `<` in text escaped.
import { decodeCss, isCssNmchar } from './css-escape';
import { GoTemplateError, type GoTemplateErrorCode } from './errors';

/** html/template refused a template: an action in a context it cannot escape, or branches that end in different contexts. */
export class TemplateEscapeError extends GoTemplateError {
  readonly code: GoTemplateErrorCode = 'template_exec_failed';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateEscapeError';
  }
}

/** Where in an HTML document template text or an action is. */
export type State =
  | 'text'
  | 'rcdata'
  | 'tag'
  | 'attrName'
  | 'afterName'
  | 'beforeValue'
  | 'attr'
  | 'url'
  | 'srcset'
  | 'comment'
  | 'js'
  | 'jsDqStr'
  | 'jsSqStr'
  | 'jsBqStr'
  | 'jsRegexp'
  | 'jsBlockCmt'
  | 'jsLineCmt'
  | 'css'
  | 'cssDqStr'
  | 'cssSqStr'
  | 'cssDqUrl'
  | 'cssSqUrl'
  | 'cssUrl'
  | 'cssBlockCmt'
  | 'cssLineCmt';
type Element = 'none' | 'script' | 'style' | 'textarea' | 'title';
type Attr = 'none' | 'url' | 'srcset' | 'style' | 'script' | 'scriptType';
type Delim = 'none' | 'dq' | 'sq' | 'space';
/** Where in a URL: before any content, in the path, in the query or fragment, or either. */
export type UrlPart = 'none' | 'pre' | 'query' | 'unknown';
/** Whether a `/` in JavaScript starts a regexp or divides, or cannot be told. */
type JsCtx = 'regexp' | 'divOp' | 'unknown';

/** html/template's `context`. */
export interface Ctx {
  readonly state: State;
  readonly element: Element;
  readonly attr: Attr;
  readonly delim: Delim;
  readonly urlPart: UrlPart;
  readonly jsCtx: JsCtx;
}

/** The context a template starts in. */
export const TEXT: Ctx = {
  state: 'text',
  element: 'none',
  attr: 'none',
  delim: 'none',
  urlPart: 'none',
  jsCtx: 'regexp',
};

const eq = (a: Ctx, b: Ctx): boolean =>
  a.state === b.state &&
  a.element === b.element &&
  a.attr === b.attr &&
  a.delim === b.delim &&
  a.urlPart === b.urlPart &&
  a.jsCtx === b.jsCtx;

/** The suffix of a template's name when it is escaped for `c` ('' for text). */
export const ctxKey = (c: Ctx): string =>
  eq(c, TEXT)
    ? ''
    : `$htmltemplate_${c.state}_${c.element}_${c.attr}_${c.delim}_${c.urlPart}_${c.jsCtx}`;

/** Whether `s` is a state whose text html/template drops. */
export const isComment = (s: State): boolean =>
  s === 'comment' ||
  s === 'jsBlockCmt' ||
  s === 'jsLineCmt' ||
  s === 'cssBlockCmt' ||
  s === 'cssLineCmt';

const CONTENT: Readonly<Record<Element, State>> = {
  none: 'text',
  script: 'js',
  style: 'css',
  textarea: 'rcdata',
  title: 'rcdata',
};

const ELEMENTS: ReadonlyMap<string, Element> = new Map<string, Element>([
  ['script', 'script'],
  ['style', 'style'],
  ['textarea', 'textarea'],
  ['title', 'title'],
]);

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
// Attributes html/template knows by name that its `src`/`uri`/`url` heuristic would call URLs.
const NOT_URL_ATTRS = new Set(['srcdoc', 'srclang']);

/** html/template's `attrType`, reduced to the attribute kinds its contexts distinguish. */
function attrOf(name: string, element: Element): Attr {
  if (element === 'script' && name === 'type') return 'scriptType';
  if (name.startsWith('data-')) name = name.slice(5);
  else if (name.includes(':')) {
    const colon = name.indexOf(':');
    if (name.slice(0, colon) === 'xmlns') return 'url';
    name = name.slice(colon + 1);
  }
  if (URL_ATTRS.has(name)) return 'url';
  if (name === 'srcset') return 'srcset';
  if (name === 'style') return 'style';
  if (NOT_URL_ATTRS.has(name)) return 'none';
  if (name.startsWith('on')) return 'script';
  if (name.includes('src') || name.includes('uri') || name.includes('url')) return 'url';
  return 'none';
}

const JS_TYPES = new Set([
  'application/ecmascript',
  'application/javascript',
  'application/json',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]);

/** Whether a `<script type>` names JavaScript (its body is then JS, else plain text). */
function isJsType(mime: string): boolean {
  return JS_TYPES.has(mime.toLowerCase().split(';')[0].trim());
}

const isSpace = (ch: string | undefined): boolean =>
  ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r';

function eatSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  return i;
}

const isAlpha = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z]$/.test(ch);
const isAlnum = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z0-9]$/.test(ch);

function eatTagName(s: string, i: number): [number, Element] {
  if (!isAlpha(s[i])) return [i, 'none'];
  let j = i + 1;
  while (j < s.length) {
    if (isAlnum(s[j])) j++;
    // "x-y" and "x:y" but not "x-", "-y" or "x--y".
    else if ((s[j] === ':' || s[j] === '-') && isAlnum(s[j + 1])) j += 2;
    else break;
  }
  return [j, ELEMENTS.get(s.slice(i, j).toLowerCase()) ?? 'none'];
}

function eatAttrName(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const ch = s[j];
    if (isSpace(ch) || ch === '=' || ch === '>') return j;
    if (ch === "'" || ch === '"' || ch === '<')
      throw new TemplateEscapeError(
        `html/template: ${JSON.stringify(ch)} in attribute name: ${JSON.stringify(s.slice(0, 32))}`,
      );
  }
  return s.length;
}

type Transition = (c: Ctx, s: string) => [Ctx, number];

const tText: Transition = (c, s) => {
  let k = 0;
  for (;;) {
    let i = s.indexOf('<', k);
    if (i < 0 || i + 1 === s.length) return [c, s.length];
    if (s.startsWith('<!--', i)) return [{ ...TEXT, state: 'comment' }, i + 4];
    i++;
    let end = false;
    if (s[i] === '/') {
      if (i + 1 === s.length) return [c, s.length];
      end = true;
      i++;
    }
    const [j, e] = eatTagName(s, i);
    if (j !== i) return [{ ...TEXT, state: 'tag', element: end ? 'none' : e }, j];
    k = j;
  }
};

const tTag: Transition = (c, s) => {
  const i = eatSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] === '>') return [{ ...TEXT, state: CONTENT[c.element], element: c.element }, i + 1];
  const j = eatAttrName(s, i);
  if (i === j)
    throw new TemplateEscapeError(
      `html/template: expected space, attr name, or end of tag, but got ${JSON.stringify(s.slice(i))}`,
    );
  const attr = attrOf(s.slice(i, j).toLowerCase(), c.element);
  return [
    { ...TEXT, state: j === s.length ? 'attrName' : 'afterName', element: c.element, attr },
    j,
  ];
};

const tAttrName: Transition = (c, s) => {
  const i = eatAttrName(s, 0);
  return [i !== s.length ? { ...c, state: 'afterName' } : c, i];
};

const tAfterName: Transition = (c, s) => {
  const i = eatSpace(s, 0);
  if (i === s.length) return [c, s.length];
  // A tag's `>` or the next attribute: this one has no value.
  if (s[i] !== '=') return [{ ...c, state: 'tag' }, i];
  return [{ ...c, state: 'beforeValue' }, i + 1];
};

const ATTR_START: Readonly<Record<Attr, State>> = {
  none: 'attr',
  scriptType: 'attr',
  script: 'js',
  style: 'css',
  url: 'url',
  srcset: 'srcset',
};

const tBeforeValue: Transition = (c, s) => {
  let i = eatSpace(s, 0);
  if (i === s.length) return [c, s.length];
  let delim: Delim = 'space';
  if (s[i] === '"' || s[i] === "'") {
    delim = s[i] === '"' ? 'dq' : 'sq';
    i++;
  }
  return [{ ...c, state: ATTR_START[c.attr], delim }, i];
};

const tHtmlCmt: Transition = (c, s) => {
  const i = s.indexOf('-->');
  return i < 0 ? [c, s.length] : [TEXT, i + 3];
};

/** `</tag` followed by a tag-end separator, case-insensitively: what ends a special element. */
const TAG_END: Readonly<Record<Exclude<Element, 'none'>, RegExp>> = {
  script: /<\/script[> \t\n\f/]/i,
  style: /<\/style[> \t\n\f/]/i,
  textarea: /<\/textarea[> \t\n\f/]/i,
  title: /<\/title[> \t\n\f/]/i,
};

const tSpecialTagEnd: Transition = (c, s) => {
  if (c.element !== 'none') {
    const i = TAG_END[c.element].exec(s)?.index ?? -1;
    if (i >= 0) return [TEXT, i];
  }
  return [c, s.length];
};

const tAttr: Transition = (c, s) => [c, s.length];

const tUrl: Transition = (c, s) => {
  if (/[#?]/.test(s)) return [{ ...c, urlPart: 'query' }, s.length];
  if (eatSpace(s, 0) !== s.length && c.urlPart === 'none')
    return [{ ...c, urlPart: 'pre' }, s.length];
  return [c, s.length];
};

const isJsIdentPart = (ch: string | undefined): boolean =>
  ch !== undefined && /^[$0-9A-Z_a-z]$/.test(ch);

const REGEXP_PRECEDERS = new Set([
  'break',
  'case',
  'continue',
  'delete',
  'do',
  'else',
  'finally',
  'in',
  'instanceof',
  'return',
  'throw',
  'try',
  'typeof',
  'void',
]);

/** html/template's `nextJSCtx`: whether a `/` after this run of JS tokens starts a regexp. */
function nextJsCtx(s: string, preceding: JsCtx): JsCtx {
  s = s.replace(/[\t\n\f\r \u2028\u2029]+$/, '');
  if (s.length === 0) return preceding;
  const c = s[s.length - 1];
  const n = s.length;
  if (c === '+' || c === '-') {
    // `++` and `--` end an operand; a single `+` or `-` (or an odd run) is an operator.
    let start = n - 1;
    while (start > 0 && s[start - 1] === c) start--;
    return (n - start) % 2 === 1 ? 'regexp' : 'divOp';
  }
  if (c === '.') return n !== 1 && /[0-9]/.test(s[n - 2]) ? 'divOp' : 'regexp';
  if (',<>=*%&|^?!~([:;{}'.includes(c)) return 'regexp';
  let j = n;
  while (j > 0 && isJsIdentPart(s[j - 1])) j--;
  return REGEXP_PRECEDERS.has(s.slice(j)) ? 'regexp' : 'divOp';
}

const tJs: Transition = (c, s) => {
  const i = s.search(/["'`/]/);
  if (i < 0) return [{ ...c, jsCtx: nextJsCtx(s, c.jsCtx) }, s.length];
  const jsCtx = nextJsCtx(s.slice(0, i), c.jsCtx);
  switch (s[i]) {
    case '"':
      return [{ ...c, state: 'jsDqStr', jsCtx: 'regexp' }, i + 1];
    case "'":
      return [{ ...c, state: 'jsSqStr', jsCtx: 'regexp' }, i + 1];
    case '`':
      return [{ ...c, state: 'jsBqStr', jsCtx: 'regexp' }, i + 1];
    default:
      if (s[i + 1] === '/') return [{ ...c, state: 'jsLineCmt', jsCtx }, i + 2];
      if (s[i + 1] === '*') return [{ ...c, state: 'jsBlockCmt', jsCtx }, i + 2];
      if (jsCtx === 'regexp') return [{ ...c, state: 'jsRegexp', jsCtx }, i + 1];
      if (jsCtx === 'divOp') return [{ ...c, jsCtx: 'regexp' }, i + 1];
      throw new TemplateEscapeError(
        `html/template: '/' could start a division or regexp: ${JSON.stringify(s.slice(i, i + 32))}`,
      );
  }
};

const JS_SPECIALS: Readonly<Partial<Record<State, string>>> = {
  jsDqStr: '\\"',
  jsSqStr: "\\'",
  jsBqStr: '`\\',
  jsRegexp: '\\/[]',
};

const tJsDelimited: Transition = (c, s) => {
  const specials = JS_SPECIALS[c.state] ?? '';
  let inCharset = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (!specials.includes(ch)) continue;
    if (ch === '\\') {
      i++;
      if (i === s.length)
        throw new TemplateEscapeError(
          `html/template: unfinished escape sequence in JS string: ${JSON.stringify(s)}`,
        );
    } else if (ch === '[') inCharset = true;
    else if (ch === ']') inCharset = false;
    else if (!inCharset) return [{ ...c, state: 'js', jsCtx: 'divOp' }, i + 1];
  }
  if (inCharset)
    throw new TemplateEscapeError(
      `html/template: unfinished JS regexp charset: ${JSON.stringify(s)}`,
    );
  return [c, s.length];
};

const tBlockCmt: Transition = (c, s) => {
  const i = s.indexOf('*/');
  if (i < 0) return [c, s.length];
  return [{ ...c, state: c.state === 'jsBlockCmt' ? 'js' : 'css' }, i + 2];
};

const tLineCmt: Transition = (c, s) => {
  const js = c.state === 'jsLineCmt';
  // The line terminator is not part of the comment: it stays in the output.
  const i = s.search(js ? /[\n\r\u2028\u2029]/ : /[\n\f\r]/);
  if (i < 0) return [c, s.length];
  return [{ ...c, state: js ? 'js' : 'css' }, i];
};

/** Whether `b` ends with the CSS identifier `kw`, case-insensitively. */
function endsWithCssKeyword(b: string, kw: string): boolean {
  const i = b.length - kw.length;
  if (i < 0) return false;
  if (i !== 0 && isCssNmchar([...b.slice(0, i)].pop()?.codePointAt(0) ?? 0)) return false;
  return b.slice(i).toLowerCase() === kw;
}

const tCss: Transition = (c, s) => {
  let k = 0;
  for (;;) {
    const m = /[("'/]/.exec(s.slice(k));
    if (m === null) return [c, s.length];
    const i = k + m.index;
    switch (s[i]) {
      case '(': {
        if (endsWithCssKeyword(s.slice(0, i).replace(/[\t\n\f\r ]+$/, ''), 'url')) {
          const j = s.length - s.slice(i + 1).replace(/^[\t\n\f\r ]+/, '').length;
          if (s[j] === '"') return [{ ...c, state: 'cssDqUrl' }, j + 1];
          if (s[j] === "'") return [{ ...c, state: 'cssSqUrl' }, j + 1];
          return [{ ...c, state: 'cssUrl' }, j];
        }
        break;
      }
      case '/':
        if (s[i + 1] === '/') return [{ ...c, state: 'cssLineCmt' }, i + 2];
        if (s[i + 1] === '*') return [{ ...c, state: 'cssBlockCmt' }, i + 2];
        break;
      case '"':
        return [{ ...c, state: 'cssDqStr' }, i + 1];
      default:
        return [{ ...c, state: 'cssSqStr' }, i + 1];
    }
    k = i + 1;
  }
};

const CSS_STR_ENDS: Readonly<Partial<Record<State, string>>> = {
  cssDqStr: '\\"',
  cssDqUrl: '\\"',
  cssSqStr: "\\'",
  cssSqUrl: "\\'",
  cssUrl: '\\\t\n\f\r )',
};

const tCssStr: Transition = (c, s) => {
  const ends = CSS_STR_ENDS[c.state] ?? '';
  let k = 0;
  for (;;) {
    let i = k;
    while (i < s.length && !ends.includes(s[i])) i++;
    if (i === s.length) {
      const [c1] = tUrl(c, decodeCss(s.slice(k)));
      return [c1, s.length];
    }
    if (s[i] !== '\\') return [{ ...c, state: 'css' }, i + 1];
    i++;
    if (i === s.length)
      throw new TemplateEscapeError(
        `html/template: unfinished escape sequence in CSS string: ${JSON.stringify(s)}`,
      );
    [c] = tUrl(c, decodeCss(s.slice(0, i + 1)));
    k = i + 1;
  }
};

const TRANSITIONS: Readonly<Record<State, Transition>> = {
  text: tText,
  tag: tTag,
  attrName: tAttrName,
  afterName: tAfterName,
  beforeValue: tBeforeValue,
  comment: tHtmlCmt,
  rcdata: tSpecialTagEnd,
  attr: tAttr,
  url: tUrl,
  srcset: tUrl,
  js: tJs,
  jsDqStr: tJsDelimited,
  jsSqStr: tJsDelimited,
  jsBqStr: tJsDelimited,
  jsRegexp: tJsDelimited,
  jsBlockCmt: tBlockCmt,
  jsLineCmt: tLineCmt,
  css: tCss,
  cssDqStr: tCssStr,
  cssSqStr: tCssStr,
  cssDqUrl: tCssStr,
  cssSqUrl: tCssStr,
  cssUrl: tCssStr,
  cssBlockCmt: tBlockCmt,
  cssLineCmt: tLineCmt,
};

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/**
 * HTML character references decoded, so JS and CSS in an attribute are seen as the browser sees
 * them (`onclick="f(&quot;a&quot;)"`). Numeric references and the common named ones only: Go knows
 * all of HTML's names, which attribute values in notification templates do not use.
 */
function unescapeHtml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([a-zA-Z]+);)/g, (m, hex, dec, name) => {
    if (name !== undefined) return NAMED_ENTITIES[name as string] ?? m;
    const r = parseInt((hex ?? dec) as string, hex !== undefined ? 16 : 10);
    return r === 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)
      ? '\ufffd'
      : String.fromCodePoint(r);
  });
}

const DELIM_ENDS: Readonly<Record<Delim, RegExp>> = {
  none: /$^/,
  dq: /"/,
  sq: /'/,
  space: /[ \t\n\f\r>]/,
};

/** html/template's `contextAfterText`: the context after a prefix of `s`, and its length. */
function contextAfterText(c: Ctx, s: string): [Ctx, number] {
  if (c.delim === 'none') {
    const [c1, i] = tSpecialTagEnd(c, s);
    // A `</script>` (or similar) ends the element whatever state its body was in.
    if (i === 0) return [c1, 0];
    return TRANSITIONS[c.state](c, s.slice(0, i));
  }
  let i = s.search(DELIM_ENDS[c.delim]);
  if (i < 0) i = s.length;
  if (c.delim === 'space') {
    const bad = s.slice(0, i).search(/["'<=`]/);
    if (bad >= 0)
      throw new TemplateEscapeError(
        `html/template: ${JSON.stringify(s[bad])} in unquoted attr: ${JSON.stringify(s.slice(0, i))}`,
      );
  }
  if (i === s.length) {
    // Still inside the value: run its decoded text through the value's own context.
    let u = unescapeHtml(s);
    while (u.length > 0) {
      const [c1, n] = TRANSITIONS[c.state](c, u);
      c = c1;
      u = u.slice(n);
    }
    return [c, s.length];
  }
  let element = c.element;
  // A non-JavaScript `<script type>` makes the element's body plain text.
  if (c.state === 'attr' && element === 'script' && c.attr === 'scriptType')
    if (!isJsType(s.slice(0, i))) element = 'none';
  return [{ ...TEXT, state: 'tag', element }, c.delim === 'space' ? i : i + 1];
}

/** html/template's `escapeText`: the context after `s` and `s` as html/template writes it. */
export function escapeText(c: Ctx, s: string): [Ctx, string] {
  let out = '';
  let written = 0;
  let i = 0;
  while (i !== s.length) {
    const [c1, n] = contextAfterText(c, s.slice(i));
    const i1 = i + n;
    if (c.state === 'text' || c.state === 'rcdata') {
      let end = i1;
      // A `<` that starts a tag (the state changes) stays.
      if (c1.state !== c.state) {
        const j = s.lastIndexOf('<', end - 1);
        if (j >= i) end = j;
      }
      for (let j = i; j < end; j++)
        if (
          s[j] === '<' &&
          !s
            .slice(j, j + 9)
            .toUpperCase()
            .startsWith('<!DOCTYPE')
        ) {
          out += s.slice(written, j) + '&lt;';
          written = j + 1;
        }
    } else if (isComment(c.state) && c.delim === 'none') {
      // A block comment reads as white space (a line break if it holds one, in JS).
      if (c.state === 'jsBlockCmt')
        out += /[\n\r\u2028\u2029]/.test(s.slice(written, i1)) ? '\n' : ' ';
      else if (c.state === 'cssBlockCmt') out += ' ';
      written = i1;
    }
    if (c.state !== c1.state && isComment(c1.state) && c1.delim === 'none') {
      const start = i1 - (c1.state === 'comment' ? 4 : 2);
      out += s.slice(written, start);
      written = i1;
    }
    if (i === i1 && c.state === c1.state)
      throw new TemplateEscapeError(`html/template: no progress at ${JSON.stringify(s.slice(i))}`);
    c = c1;
    i = i1;
  }
  if (!isComment(c.state) || c.delim !== 'none') out += s.slice(written);
  return [c, out];
}

/** html/template's `nudge`: an action where a value or name would start. */
export function nudge(c: Ctx): Ctx {
  if (c.state === 'tag' || c.state === 'afterName') return { ...c, state: 'attrName' };
  if (c.state === 'beforeValue') return { ...c, state: ATTR_START[c.attr], delim: 'space' };
  return c;
}

/** html/template's `join`: the context after two branches, or an error if they disagree. */
export function join(a: Ctx, b: Ctx, what: string): Ctx {
  if (eq(a, b)) return a;
  if (eq({ ...a, urlPart: b.urlPart }, b)) return { ...a, urlPart: 'unknown' };
  if (eq({ ...a, jsCtx: b.jsCtx }, b)) return { ...a, jsCtx: 'unknown' };
  const [na, nb] = [nudge(a), nudge(b)];
  if (!(eq(na, a) && eq(nb, b))) {
    try {
      return join(na, nb, what);
    } catch (e) {
      if (!(e instanceof TemplateEscapeError)) throw e;
    }
  }
  throw new TemplateEscapeError(`html/template: {{${what}}} branches end in different contexts`);
}
