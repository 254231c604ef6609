import {
  BUILTINS,
  HTML_ESCAPERS,
  STRING_FUNCS,
  TemplateEscapeError,
  escapeHtmlTemplate,
  executeTemplate,
  parseTemplate,
} from './index';

const FUNCS = new Map([...BUILTINS, ...STRING_FUNCS, ...HTML_ESCAPERS]);

async function render(text: string, data: string): Promise<string> {
  const t = parseTemplate('t', text, (n) => FUNCS.has(n));
  return executeTemplate(escapeHtmlTemplate(t), data, { funcs: FUNCS });
}

const HOSTILE = `<b>"x"</b> & 'y' + z`;

describe("html/template's contextual escaping", () => {
  it.each([
    [
      'element text',
      '<p>{{.}}</p>',
      HOSTILE,
      '<p>&lt;b&gt;&#34;x&#34;&lt;/b&gt; &amp; &#39;y&#39; &#43; z</p>',
    ],
    ['RCDATA (title)', '<title>{{.}}</title>', '<i>t</i>', '<title>&lt;i&gt;t&lt;/i&gt;</title>'],
    [
      'a quoted attribute',
      `<td title="{{.}}">`,
      'a" onclick="b',
      '<td title="a&#34; onclick=&#34;b">',
    ],
    ['a single-quoted attribute', `<td title='{{.}}'>`, "a' b", "<td title='a&#39; b'>"],
    ['an unquoted attribute', '<td title={{.}}>', 'a b=c', '<td title=a&#32;b&#61;c>'],
    [
      'a URL attribute with an unsafe scheme',
      '<a href="{{.}}">x</a>',
      'javascript:alert(1)',
      '<a href="#ZgotmplZ">x</a>',
    ],
    [
      'a URL attribute, normalized',
      '<a href="{{.}}">',
      'http://h/a b?q=<c>',
      '<a href="http://h/a%20b?q=%3cc%3e">',
    ],
    [
      'a URL query',
      '<a href="http://h/?q={{.}}">',
      'a&b c/d',
      '<a href="http://h/?q=a%26b%20c%2fd">',
    ],
    ['a URL path after the start', '<img src="/img/{{.}}">', 'a b#"', '<img src="/img/a%20b#%22">'],
    ['a comment, dropped', 'a<!-- {{.}} -->b', 'x', 'ab'],
    ['safeHtml in text, kept', '<p>{{ . | safeHtml }}</p>', '<b>x</b>', '<p><b>x</b></p>'],
    [
      'safeHtml in an attribute, tags stripped',
      '<p title="{{ . | safeHtml }}">',
      '<b>x</b> "y"',
      '<p title="x &#34;y&#34;">',
    ],
    ['html at the end, merged', '<p title="{{ . | html }}">', '<"+', '<p title="&lt;&#34;+">'],
  ])('%s', async (_what, text, data, expected) => {
    await expect(render(text, data)).resolves.toBe(expected);
  });

  it('escapes a template called in an attribute for that attribute, and in text for text', async () => {
    const text = '{{define "v"}}{{.}}{{end}}<a href="{{template "v" .}}">{{template "v" .}}</a>';
    await expect(render(text, 'javascript:x<')).resolves.toBe(
      '<a href="#ZgotmplZ">javascript:x&lt;</a>',
    );
  });

  it('refuses what it cannot escape, as html/template refuses', async () => {
    await expect(render('<script>var x = {{.}}</script>', 'x')).rejects.toThrow(
      TemplateEscapeError,
    );
    await expect(render('<a onclick="f({{.}})">', 'x')).rejects.toThrow(TemplateEscapeError);
    await expect(render('<a {{if .}}href="{{else}}title="{{end}}x">', 'x')).rejects.toThrow(
      '{{if}} branches end in different contexts',
    );
    await expect(render('<a href="{{.}}', 'x')).rejects.toThrow('ends in a non-text context');
  });
});
