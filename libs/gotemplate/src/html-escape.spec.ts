import {
  BUILTINS,
  HTML_ESCAPERS,
  STRING_FUNCS,
  TemplateEscapeError,
  GoMap,
  GoSlice,
  GoTime,
  type GoValue,
  escapeHtmlTemplate,
  executeTemplate,
  parseTemplate,
} from './index';

const FUNCS = new Map([...BUILTINS, ...STRING_FUNCS, ...HTML_ESCAPERS]);

async function render(text: string, data: GoValue): Promise<string> {
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
    [
      'a srcset, each candidate filtered and normalized',
      '<img srcset="{{.}}">',
      'http://h/a.png?q=<x> 2x, javascript:x 1x,/c.png 3x, /d.png 2.5x',
      '<img srcset="http://h/a.png?q=%3cx%3e 2x,#ZgotmplZ,/c.png 3x,#ZgotmplZ">',
    ],
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
    await expect(render('<script>var x = `{{.}}`</script>', 'x')).rejects.toThrow(
      '{{.}} (line 1) appears in a JS template literal',
    );
    await expect(render('<script>/[{{.}}]/</script>', 'x')).rejects.toThrow(
      'unfinished JS regexp charset',
    );
    await expect(render('<script>{{if .}}x{{else}}/{{end}}/{{.}}</script>', 'x')).rejects.toThrow(
      TemplateEscapeError,
    );
    await expect(render('<a title={{.}}x"y>', 'x')).rejects.toThrow('in unquoted attr');
    await expect(render('<a {{if .}}href="{{else}}title="{{end}}x">', 'x')).rejects.toThrow(
      '{{if}} branches end in different contexts',
    );
    await expect(render('<a href="{{.}}', 'x')).rejects.toThrow('ends in a non-text context');
  });
});

// Expected strings are what Go 1.19.8's html/template writes (`amtool template render
// --template.type=html` of Debian's Alertmanager 0.25 printed them).
const JS_HOSTILE = 'x`y\'z"<>&+/\\ \n\t\u2028 $^.*?()[]{}|-:;@!#=%';

describe("html/template's JavaScript contexts", () => {
  it.each<[string, string, GoValue, string]>([
    [
      'a string value, as JSON with HTML escapes',
      '<script>var v = {{.}};</script>',
      JS_HOSTILE,
      String.raw`<script>var v = "x` +
        '`' +
        String.raw`y'z\"\u003c\u003e\u0026+/\\ \n\t\u2028 $^.*?()[]{}|-:;@!#=%";</script>`,
    ],
    [
      'inside a double-quoted string',
      '<script>var s = "{{.}}";</script>',
      JS_HOSTILE,
      String.raw`<script>var s = "x\u0060y\u0027z\u0022\u003c\u003e\u0026\u002b\/\\ \n\t\u2028 $^.*?()[]{}|-:;@!#=%";</script>`,
    ],
    [
      'inside a regexp',
      '<script>var r = /{{.}}/;</script>',
      JS_HOSTILE,
      String.raw`<script>var r = /x` +
        '`' +
        String.raw`y\u0027z\u0022\u003c\u003e\u0026\u002b\/\\ \n\t\u2028 \$\^\.\*\?\(\)\[\]\{\}\|\-:;@!#=%/;</script>`,
    ],
    [
      'control characters in a string',
      `<script>'{{.}}'</script>`,
      '\0\v\f\r\x01\x7f',
      String.raw`<script>'\u0000\u000b\f\r\u0001` + '\x7f' + `'</script>`,
    ],
    ['an empty regexp', '<script>/{{.}}/</script>', '', '<script>/(?:)/</script>'],
    ['a number, padded', '<script>x={{.}};</script>', 1e21, '<script>x= 1e+21 ;</script>'],
    [
      'an int and a bool',
      '<script>x={{.}}in{{true}}</script>',
      2n,
      '<script>x= 2 in true </script>',
    ],
    [
      'a map, keys sorted',
      '<script>x={{.}}</script>',
      GoMap.ofStrings({ b: '</script>', a: '1' }),
      String.raw`<script>x={"a":"1","b":"\u003c/script\u003e"}</script>`,
    ],
    [
      'a slice and a time',
      '<script>x={{.}}</script>',
      new GoSlice('[]interface {}', 'interface {}', [
        'a',
        new GoTime(1_704_164_645_123_456_789n),
        null,
      ]),
      '<script>x=["a","2024-01-02T03:04:05.123456789Z",null]</script>',
    ],
    [
      'a value then a division, a keyword then a regexp',
      '<script>x = {{.}} / 2; return /{{.}}/</script>',
      'a/b',
      String.raw`<script>x = "a/b" / 2; return /a\/b/</script>`,
    ],
    [
      'comments dropped, a line comment keeping its line break',
      '<script>a = 1; /* {{.}} */ b = 2 // {{.}}\nc</script>',
      'x',
      '<script>a = 1;    b = 2 \nc</script>',
    ],
    [
      'an event handler attribute, then attribute-escaped',
      `<a onclick="f({{.}}, '{{.}}', &quot;{{.}}&quot;)">`,
      `a"b'`,
      String.raw`<a onclick="f(&#34;a\&#34;b&#39;&#34;, 'a\u0022b\u0027', &quot;a\u0022b\u0027&quot;)">`,
    ],
    [
      'a string ended by </script>',
      '<script>var s = "</script><p>{{.}}</p>',
      '<b>',
      '<script>var s = "</script><p>&lt;b&gt;</p>',
    ],
    [
      'a non-JavaScript script type, plain text',
      '<script type="text/template">{{.}}</script>',
      '<b>',
      '<script type="text/template">&lt;b&gt;</script>',
    ],
  ])('%s', async (_what, text, data, expected) => {
    await expect(render(text, data)).resolves.toBe(expected);
  });
});

describe("html/template's CSS contexts", () => {
  it.each<[string, string, GoValue, string]>([
    [
      'an innocuous value',
      '<style>p { width: {{.}} }</style>',
      '10px',
      '<style>p { width: 10px }</style>',
    ],
    [
      'a value that could break out',
      '<style>p { color: {{.}} }</style>',
      'red; } x {',
      '<style>p { color: ZgotmplZ }</style>',
    ],
    [
      'a value that runs script',
      '<p style="w: {{.}}">',
      'expression(alert(1))',
      '<p style="w: ZgotmplZ">',
    ],
    [
      'a value hiding a quote in an escape',
      '<p style="w: {{.}}">',
      String.raw`a\22 b`,
      '<p style="w: ZgotmplZ">',
    ],
    ['an escaped value, decoded', '<p style="w: {{.}}">', String.raw`a\3a b`, '<p style="w: a:b">'],
    [
      'inside a string',
      `<style>p { font-family: "{{.}}" }</style>`,
      `a"b'<c>\n\t{};/\\`,
      String.raw`<style>p { font-family: "a\22 b\27\3c c\3e \a \9\7b\7d\3b\2f\\" }</style>`,
    ],
    [
      'a string URL with an unsafe scheme',
      `<p style="x: '{{.}}'">`,
      'javascript:x',
      `<p style="x: '#ZgotmplZ'">`,
    ],
    [
      'url() with an unsafe scheme',
      '<style>p { background: url({{.}}) }</style>',
      'javascript:x',
      '<style>p { background: url(#ZgotmplZ) }</style>',
    ],
    [
      'url() normalized',
      `<style>p { background: url("{{.}}") }</style>`,
      'http://e/a b',
      `<style>p { background: url("http://e/a%20b") }</style>`,
    ],
    [
      'url() query',
      `<style>p { b: url('/i?q={{.}}') }</style>`,
      'a b&c',
      `<style>p { b: url('/i?q=a%20b%26c') }</style>`,
    ],
    [
      'comments dropped',
      '<style>p { /* {{.}} */ } // {{.}}\nq {}</style>',
      'x',
      '<style>p {    } \nq {}</style>',
    ],
  ])('%s', async (_what, text, data, expected) => {
    await expect(render(text, data)).resolves.toBe(expected);
  });
});
