import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TemplateData } from '../template-data';
import { TemplateSet } from './render';

const run = promisify(execFile);

const HOSTILE = 'x`y\'z"<>&+/\\ \n\t\u2028 $^.*?()[]{}|-:;@!#=%';

/** Template data with hostile values, in the JSON layout `amtool template render` reads. */
const DATA: TemplateData = {
  receiver: 'team</script>',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: HOSTILE,
        width: '10px',
        color: '#8f8 !important',
        bad: 'expression(alert(1))',
        css: 'a\\3a b',
        link: 'javascript:alert(1)',
        href: 'http://e.example/a b?c=d&e',
      },
      annotations: { summary: '<b>\u0000\u000b\f\r\u0001\u007f\u2029é😀</b>' },
      startsAt: '2024-01-02T03:04:05.123Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus/graph?g0.expr=up',
      fingerprint: '0123456789abcdef',
    },
    {
      status: 'resolved',
      labels: { alertname: 'b', width: '', instance: 'db2 #2' },
      annotations: {},
      startsAt: '2024-01-02T03:04:05Z',
      endsAt: '2024-01-02T04:00:00Z',
      generatorURL: '',
      fingerprint: 'fedcba9876543210',
    },
  ],
  groupLabels: { alertname: HOSTILE },
  commonLabels: { alertname: HOSTILE },
  commonAnnotations: {},
  externalURL: 'http://strata.example/alertmanager',
};

const A = '(index .Alerts 0)';

/** The case's body as the template `case`, beside a helper template `s` that cases call. */
const file = (body: string): string =>
  `{{ define "s" }}{{ .Status }}{{ end }}{{ define "case" }}${body}{{ end }}`;

/** Template bodies with actions in every JavaScript and CSS context html/template distinguishes. */
const CASES: Array<[string, string]> = [
  [
    'script: value, string, regexp, comments',
    `<script>var v = {{ .CommonLabels.alertname }}, s = "{{ .CommonLabels.alertname }}", t = '{{ .Receiver }}', r = /{{ .CommonLabels.alertname }}/; /* {{ .Status }} */ // {{ .Status }}
x = 1;</script>`,
  ],
  [
    'script: structs, maps, slices, times, numbers and booleans as JSON',
    `<script>var a = {{ index .Alerts 0 }}, b = {{ .Alerts }}, c = {{ .CommonLabels }}, d = {{ ${A}.Labels.SortedPairs }}, e = {{ ${A}.StartsAt }}, f = {{ len .Alerts }}, g = {{ 1.5 }}, h = {{ true }}, i = {{ 1e21 }}, j = {{ . }}</script>`,
  ],
  [
    'script: control characters in strings, regexps and values',
    `<script>"{{ ${A}.Annotations.summary }}"; x = /{{ ${A}.Annotations.summary }}/; y = {{ ${A}.Annotations.summary }}</script>`,
  ],
  [
    'script: division or regexp after values, keywords and operators',
    '<script>x = a / {{ .Status }} / 2; y = {{ .Status }}/{{ .Status }}/ ; if (x) return /{{ .Status }}/.test(y); typeof /{{ .Status }}/; x++ / {{ .Status }}</script>',
  ],
  [
    'script: ranges, a template call and a string ended by </script>',
    '<script>var l = [{{ range .Alerts }}{{ .Status }},{{ end }}], m = [{{ range .Alerts }}"{{ .Labels.alertname }}",{{ end }}], n = {{ template "s" . }}, o = "{{ template "s" . }}"; var p = "</script><p>{{ .Receiver }}</p>',
  ],
  [
    'script: a non-JavaScript type is text, upper-case tags still end',
    '<script type="text/template"><b>{{ .Receiver }}</b></script><SCRIPT>var a = {{ .Receiver }}</SCRIPT ><p>{{ .Receiver }}</p>',
  ],
  [
    'on* attributes: quoted, single-quoted, unquoted, with character references',
    `<a onclick="f({{ .CommonLabels.alertname }}, '{{ .CommonLabels.alertname }}', &quot;{{ .Receiver }}&quot;) /* {{ .Status }} */" onmouseover='g("{{ .Receiver }}")' onfocus={{ .Receiver }}>x</a>`,
  ],
  [
    'style: values through the filter, strings, url() and comments',
    `<style>p { color: {{ .CommonLabels.alertname }}; width: {{ ${A}.Labels.width }}; c: {{ ${A}.Labels.color }}; d: {{ ${A}.Labels.bad }}; e: {{ ${A}.Labels.css }} } /* {{ .Status }} */ // {{ .Status }}
q::after { content: "{{ ${A}.Annotations.summary }}"; font-family: '{{ .Receiver }}'; background: url({{ ${A}.Labels.link }}) url("{{ ${A}.Labels.href }}") url( {{ .ExternalURL }}?q={{ .CommonLabels.alertname }} ) } @import url({{ .ExternalURL }}/a.css);</style>`,
  ],
  [
    'style attributes: quoted, unquoted, with character references',
    `<p style="color: {{ ${A}.Labels.width }}; background: url(&quot;{{ ${A}.Labels.link }}&quot;); x: &#39;{{ .CommonLabels.alertname }}&#39;" title="{{ .Receiver }}">x</p><p style={{ ${A}.Labels.bad }}>y</p><p style='a: "{{ .ExternalURL }}/{{ .Receiver }}"'>z</p>`,
  ],
  [
    'srcset: each image candidate filtered and normalized',
    `<img srcset="{{ ${A}.Labels.href }} 2x, {{ ${A}.Labels.link }} 1x, /a.png 3x" data-srcset='{{ .ExternalURL }}/{{ .CommonLabels.alertname }}' src="/x.png">`,
  ],
];

/** Templates html/template refuses to run: the same refusal on both sides. */
const REFUSED: Array<[string, string, string]> = [
  [
    'an action in a JS template literal',
    '<script>var c = `{{ .Status }}`;</script>',
    'appears in a JS template literal',
  ],
  [
    'an action in a regexp character class',
    '<script>/[{{ .Status }}]/</script>',
    'unfinished JS regexp charset',
  ],
  [
    'a slash that is division or a regexp',
    '<script>{{ if .Status }}x{{ else }}/{{ end }}/{{ .Status }}</script>',
    'branches end in different contexts',
  ],
  ['a quote in an unquoted attribute', '<a title={{ .Receiver }}x"y>z</a>', 'in unquoted attr'],
];

// `amtool template render --template.type=html` runs Alertmanager's own html/template (Go 1.19.8
// in Debian's 0.25): the reference for every case.
describe("html/template's JavaScript and CSS contexts against Debian's amtool", () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-html-contexts-'));
    writeFileSync(join(dir, 'data.json'), JSON.stringify(DATA));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function amtool(body: string): Promise<string> {
    const path = join(dir, 'case.tmpl');
    writeFileSync(path, file(body));
    const { stdout } = await run('amtool', [
      'template',
      'render',
      `--template.glob=${path}`,
      `--template.data=${join(dir, 'data.json')}`,
      '--template.text={{ template "case" . }}',
      '--template.type=html',
    ]);
    return stdout.replace(/\n$/, '');
  }

  const strata = (body: string): Promise<string> =>
    new TemplateSet({ 'case.tmpl': file(body) }).render('{{ template "case" . }}', DATA, {
      html: true,
    });

  it.each(CASES)('%s: the same output, byte for byte', async (_what, body) => {
    const expected = await amtool(body);
    expect(await strata(body)).toBe(expected);
  });

  it.each(REFUSED)('%s: refused on both sides', async (_what, body, reason) => {
    await expect(amtool(body)).rejects.toThrow(reason);
    await expect(strata(body)).rejects.toThrow(reason);
  });
});
