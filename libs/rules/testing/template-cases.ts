// Templates whose Prometheus renderings are recorded (tools/rules-templates/record.ts) and compared
// with ours. Each case becomes one alerting rule; its annotation `out` holds the template.

/** The series every case's alert is built from: two labels and a value with many digits. */
export const CASE_EXPR =
  'label_replace(label_replace(vector(1234567.891), "instance", "host.example.com:9090", "", ""), "job", "api", "", "")';

/** Prometheus' `--web.external-url` and external labels while recording. */
export const CASE_EXTERNAL_URL = 'http://prom.example.com:9090/prom/';
export const CASE_EXTERNAL_LABELS = { cluster: 'c1', replica: 'r"1' } as const;

/** One template to render. `labels` are templated rule labels, rendered too. */
export interface TemplateCase {
  name: string;
  template: string;
  labels?: Record<string, string>;
}

const twoJobs =
  '`label_replace(vector(2), "job", "a", "", "") or label_replace(vector(1), "job", "b", "", "")`';

/** The table, by function and construct. */
export const TEMPLATE_CASES: readonly TemplateCase[] = [
  { name: 'value', template: '{{ $value }}|{{ .Value }}' },
  {
    name: 'labels',
    template: '{{ $labels.instance }}|{{ $labels.missing }}|{{ $labels }}|{{ .Labels.job }}',
  },
  {
    name: 'external',
    template:
      '{{ $externalLabels.cluster }} {{ $externalLabels }} {{ $externalURL }} {{ .ExternalURL }}',
  },
  {
    name: 'humanize',
    template:
      '{{ humanize $value }} {{ humanize 0 }} {{ humanize 0.000123 }} {{ humanize -1500 }} {{ humanize 1e30 }} {{ humanize "NaN" }} {{ humanize "+Inf" }} {{ humanize "1234" }} {{ humanize 1024 }} {{ humanize 999999 }}',
  },
  {
    name: 'humanize1024',
    template:
      '{{ humanize1024 0.5 }} {{ humanize1024 1024 }} {{ humanize1024 1048576.5 }} {{ humanize1024 -2048 }} {{ humanize1024 1e30 }} {{ $value | humanize1024 }}',
  },
  {
    name: 'humanizeDuration',
    template:
      '{{ humanizeDuration 0 }} {{ humanizeDuration 0.0001234 }} {{ humanizeDuration 1.5 }} {{ humanizeDuration 61 }} {{ humanizeDuration 3661.5 }} {{ humanizeDuration 90061 }} {{ humanizeDuration -3661 }} {{ humanizeDuration -0.5 }} {{ humanizeDuration "Inf" }} {{ humanizeDuration 59.99999 }}',
  },
  {
    name: 'humanizePercentage',
    template:
      '{{ humanizePercentage 0.1234 }} {{ humanizePercentage 1 }} {{ humanizePercentage 0 }} {{ humanizePercentage "0.5" }} {{ humanizePercentage 0.000012345 }}',
  },
  {
    name: 'humanizeTimestamp',
    template:
      '{{ humanizeTimestamp 0 }}|{{ humanizeTimestamp 1.5 }}|{{ humanizeTimestamp 1700000000.123456 }}|{{ humanizeTimestamp "NaN" }}|{{ humanizeTimestamp -1 }}',
  },
  { name: 'humanize-bad-string', template: '{{ humanize "abc" }}' },
  { name: 'humanize-bad-type', template: '{{ humanize $labels }}' },
  {
    name: 'printf-verbs',
    template:
      '{{ printf "%.2f|%5.1f|%-6s|%06d|%x|%X|%o|%b|%e|%E|%g|%G|%q|%v|%t|%c|%U|%%" 3.14159 2.25 "ab" 42 255 255 8 5 1234.5678 0.000012 1e21 1e-7 "q\\"s" $labels true 65 65 }}',
  },
  { name: 'printf-bad', template: '{{ printf "%d %s|%d|%z" "x" 3 1.5 1 }}' },
  { name: 'printf-missing-extra', template: '{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 "x" }}' },
  {
    name: 'printf-index-star',
    template: '{{ printf "%[2]d %[1]d" 1 2 }}|{{ printf "%*d|%.*f" 5 42 2 3.14159 }}',
  },
  {
    name: 'printf-flags',
    template:
      '{{ printf "%+d|% d|%+.1e|%08.3f|%-8.2f|%+08d|%5t|%-5t|" 5 5 12345.678 -3.14159 2.5 42 true false }}',
  },
  {
    name: 'printf-floats',
    template:
      '{{ printf "%v %v %v %v %v" 1e6 123456789.0 0.0001 0.00001 100000.0 }}|{{ printf "%.3g %.10g %g %.0f %.0f %.1f %.2f" 2.5e-5 1.0 100000.0 0.5 1.5 0.25 1.005 }}',
  },
  {
    name: 'printf-strings',
    template: '{{ printf "%x|%X|% x|%s|%.2s|%5.1s|" "hi" "hi" "hi" $labels "abc" "xyz" }}',
  },
  {
    name: 'print-println',
    template: '{{ print 1 2 "a" "b" 3 true nil 1.5 }}|{{ println 1 "a" }}|',
  },
  {
    name: 'query-range-sort',
    template: `{{ range query ${twoJobs} | sortByLabel "job" }}{{ .Labels.job }}={{ .Value }};{{ end }}`,
  },
  {
    name: 'query-first-value',
    template:
      '{{ with query "vector(7)" }}{{ . | first | value }}{{ end }}|{{ query "vector(8)" | first | strvalue }}|',
  },
  {
    name: 'query-label',
    template:
      '{{ (query `label_replace(vector(3), "x", "y", "", "")` | first).Labels.x }}|{{ label "x" (query `label_replace(vector(3), "x", "y", "", "")` | first) }}',
  },
  { name: 'query-first-empty', template: '{{ query "absent(vector(1))" | first | value }}' },
  { name: 'query-scalar', template: '{{ query "1 + 1" | first | value }}' },
  { name: 'query-string', template: '{{ query "\\"abc\\"" }}' },
  { name: 'query-parse-error', template: '{{ query "sum(" }}' },
  { name: 'query-print-sample', template: '{{ query "vector(5)" | first }}' },
  { name: 'title', template: `{{ title "hello wORLD foo_bar o'neil 3rd-party éa" }}` },
  { name: 'upper-lower', template: '{{ toUpper "abc Ünï" }} {{ toLower "ABC ÜNÏ" }}' },
  {
    name: 'match',
    template:
      '{{ match "^host" $labels.instance }} {{ match "^api$" $labels.job }} {{ match "x" "y" }}',
  },
  { name: 'match-bad', template: '{{ match "a(" "x" }}' },
  {
    name: 'reReplaceAll',
    template:
      '{{ reReplaceAll "(\\\\w+)\\\\.example\\\\.com:(\\\\d+)" "$2 on $1" $labels.instance }}|{{ reReplaceAll "a*" "-" "baaac" }}|{{ reReplaceAll "(?P<h>[^:]+):.*" "${h}x $1x $$" $labels.instance }}',
  },
  { name: 'reReplaceAll-bad', template: '{{ reReplaceAll "(" "" "x" }}' },
  { name: 'safeHtml', template: '{{ safeHtml "<b>x</b>" }}' },
  {
    name: 'url-functions',
    template:
      '{{ pathPrefix }}|{{ externalURL }}|{{ graphLink "rate(x[5m]) > 0.5" }}|{{ tableLink `up{job="a b"}` }}',
  },
  {
    name: 'stripPort',
    template:
      '{{ stripPort "host:9090" }} {{ stripPort "host" }} {{ stripPort "[::1]:80" }} {{ stripPort "::1" }} {{ stripPort "1.2.3.4:5" }}',
  },
  {
    name: 'stripDomain',
    template:
      '{{ stripDomain "a.b.c:80" }} {{ stripDomain "a.b.c" }} {{ stripDomain "1.2.3.4:80" }} {{ stripDomain "[::1]:80" }} {{ stripDomain "localhost" }}',
  },
  {
    name: 'parseDuration',
    template:
      '{{ parseDuration "1h30m" }} {{ parseDuration "1ms" }} {{ parseDuration "0" }} {{ parseDuration "1d" }}',
  },
  { name: 'parseDuration-bad', template: '{{ parseDuration "abc" }}' },
  {
    name: 'toTime',
    template:
      '{{ (toTime 1700000000.5).Format "2006-01-02T15:04:05.000Z07:00" }} {{ (toTime 86400).Unix }} {{ toTime 1.5 }} {{ (toTime 0).Year }}',
  },
  { name: 'toTime-bad', template: '{{ toTime "NaN" }}' },
  {
    name: 'args-template',
    template:
      '{{ template "t" (args 1 "two" 3.5) }}{{ define "t" }}{{ .arg0 }}-{{ .arg1 }}-{{ .arg2 }}-{{ .arg3 }}{{ end }}',
  },
  {
    name: 'and-or-not',
    template:
      '{{ and 1 2 }} {{ and 0 2 }} {{ or 0 "" }} {{ or 0 "x" }} {{ not 0 }} {{ not "a" }} {{ and $labels.job "yes" }}',
  },
  {
    name: 'len-index',
    template:
      '{{ len $labels }} {{ len "héllo" }} {{ index $labels "job" }} {{ index $labels "nope" }}|{{ index "abc" 1 }}',
  },
  {
    name: 'comparisons',
    template:
      '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 2.5 1.5 }} {{ ge "b" "a" }} {{ eq $value 1234567.891 }} {{ lt "a" "B" }}',
  },
  { name: 'eq-incompatible', template: '{{ eq $value 1 }}' },
  { name: 'lt-bool', template: '{{ lt true false }}' },
  {
    name: 'escapers',
    template:
      '{{ html `<a href="x">&\'` }}|{{ js `it\'s "q" <b> & = \\ é` }}|{{ urlquery "a b&c=d/é" }}|{{ html 1 2 }}',
  },
  {
    name: 'if-else-chain',
    template:
      '{{ if gt $value 1e9 }}huge{{ else if gt $value 1e6 }}big{{ else }}small{{ end }}|{{ if $labels.missing }}x{{ else }}none{{ end }}',
  },
  {
    name: 'range-map',
    template:
      '{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}|{{ range $labels }}{{ . }};{{ end }}',
  },
  {
    name: 'range-else',
    template:
      '{{ range query "absent(vector(1))" }}x{{ else }}empty{{ end }}|{{ with $labels.missing }}has{{ else }}none{{ end }}',
  },
  {
    name: 'range-break-continue',
    template: `{{ range $i, $e := query ${twoJobs} }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $i }}{{ continue }}x{{ end }}`,
  },
  {
    name: 'variables',
    template: '{{ $x := 1 }}{{ $x = 2 }}{{ $x }} {{ $y := "s" }}{{ $y }} {{ $ := 3 }}{{ $ }}',
  },
  {
    name: 'pipelines',
    template:
      '{{ $value | printf "%.1f" }}|{{ "abc" | printf "%s-%s" "x" }}|{{ printf "%s" (toUpper "a") }}',
  },
  {
    name: 'define-block',
    template:
      '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" $labels.job }}|{{ block "b" "v" }}<{{ . }}>{{ end }}',
  },
  { name: 'trim-comments', template: '{{- /* comment */ -}}  a  {{- " b " -}}  c  {{/* x */}}d' },
  {
    name: 'numbers',
    template:
      "{{ 1e6 }} {{ 1000000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ -0.0 }} {{ 1.5e300 }} {{ 3.0 }} {{ .5 }}",
  },
  { name: 'strings', template: '{{ "tab\\there" }}|{{ `raw\\n` }}|{{ "\\u00e9\\x41" }}' },
  { name: 'missing-field', template: '{{ .Missing }}' },
  { name: 'field-of-string', template: '{{ $labels.job.x }}' },
  { name: 'nil-command', template: '{{ nil }}' },
  { name: 'undefined-template', template: '{{ template "nope" }}' },
  { name: 'index-wrong-key', template: '{{ index $labels 1 }}' },
  { name: 'len-int', template: '{{ len 3 }}' },
  { name: 'string-arg-number', template: '{{ toUpper 3 }}' },
  { name: 'arg-count', template: '{{ humanize }}' },
  { name: 'field-of-float', template: '{{ $value.Foo }}' },
  { name: 'value-wrong-type', template: '{{ toUpper $value }}' },
  {
    name: 'label-templates',
    template: '{{ $labels.severity }}',
    labels: {
      severity: '{{ if gt $value 1.0 }}page{{ else }}ticket{{ end }}',
      owner: 'team-{{ $labels.job }}',
      static: 'plain',
    },
  },
];
