import {
  HTML_ESCAPERS,
  TemplateParseError,
  escapeHtmlTemplate,
  executeTemplate,
  parseTemplate,
  type ParsedTemplate,
} from '@strata/gotemplate';
import { type TemplateData } from '../template-data';
import { ALERTMANAGER_FUNCS } from './am-funcs';
import { templateDataValue } from './am-data';
import { DEFAULT_TEMPLATES } from './defaults';

const hasFunc = (n: string): boolean => ALERTMANAGER_FUNCS.has(n);
const HTML_FUNCS = new Map([...ALERTMANAGER_FUNCS, ...HTML_ESCAPERS]);

const MAX_PREPARED = 256;

/** The default templates, parsed once: every tenant's set starts from them and none changes them. */
let defaultTrees: ParsedTemplate['trees'] | null = null;

/**
 * A tenant's template set: the defaults, then its template files (later definitions win), as
 * Alertmanager parses `templates:` on top of its defaults.
 */
export class TemplateSet {
  private readonly trees: ParsedTemplate['trees'];
  /** Parsed (and for HTML, escaped) fields by text: a set never changes, its fields repeat. */
  private readonly prepared = new Map<string, ParsedTemplate>();

  constructor(files: Readonly<Record<string, string>> = {}) {
    defaultTrees ??= parseTemplate('default.tmpl', DEFAULT_TEMPLATES, hasFunc).trees;
    this.trees = new Map(defaultTrees);
    for (const [name, text] of Object.entries(files))
      for (const [k, v] of parseTemplate(name, text, hasFunc).trees) this.trees.set(k, v);
  }

  /**
   * Renders one field (`{{ template "email.default.subject" . }}`) against the notification's
   * data; `html` escapes what actions print for the HTML context each is in, as Alertmanager's
   * `TmplHTML` does with Go's html/template.
   */
  async render(
    text: string,
    data: TemplateData,
    options: { html?: boolean } = {},
  ): Promise<string> {
    const html = options.html === true;
    const key = `${html ? 'html' : 'text'}:${text}`;
    let parsed = this.prepared.get(key);
    if (parsed === undefined) {
      const own = parseTemplate('', text, hasFunc);
      const trees = new Map(this.trees);
      for (const [k, v] of own.trees) trees.set(k, v);
      parsed = { name: '', text, trees };
      if (html) parsed = escapeHtmlTemplate(parsed);
      // Fields come from configuration, so few; the bound only guards against a caller's loop.
      if (this.prepared.size >= MAX_PREPARED) this.prepared.clear();
      this.prepared.set(key, parsed);
    }
    // Alertmanager runs both template kinds with `missingkey=zero`: a missing label is "".
    return executeTemplate(parsed, templateDataValue(data), {
      funcs: html ? HTML_FUNCS : ALERTMANAGER_FUNCS,
      missingKey: 'zero',
    });
  }
}

export { TemplateParseError };
