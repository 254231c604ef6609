/**
 * Strata's default notification templates. The chat defaults (`slack.default.*`,
 * `discord.default.*`, `telegram.default.message`, `wechat.default.*`, `pushover.default.*`) and
 * `email.default.subject` render what Alertmanager 0.25's defaults render (the rendered-bodies
 * differential holds them to it), apart from the sender's name (`__alertmanager`). The email
 * bodies and the channels Alertmanager lacks (`dingtalk.*`, `feishu.*`, `sms.*`) are Strata's own;
 * notification-manager's `nm.default.*` names are defined alike.
 */
export const DEFAULT_TEMPLATES = `
{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}
{{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "nm.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "__text_alert" }}[{{ .Status }}] {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}
{{ range .Annotations.SortedPairs }}  {{ .Name }}: {{ .Value }}
{{ end }}{{ if .GeneratorURL }}  source: {{ .GeneratorURL }}
{{ end }}{{ end }}
{{ define "email.default.text" }}{{ range .Alerts.Firing }}{{ template "__text_alert" . }}{{ end }}{{ range .Alerts.Resolved }}{{ template "__text_alert" . }}{{ end }}{{ end }}
{{ define "nm.default.text" }}{{ template "email.default.text" . }}{{ end }}
{{ define "email.default.html" }}<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>{{ template "__subject" . }}</title></head>
<body>
<h2>{{ .Alerts | len }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</h2>
{{ if .Alerts.Firing }}<h3>Firing</h3><ul>{{ range .Alerts.Firing }}<li>{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value | html }} {{ end }}{{ range .Annotations.SortedPairs }}<br>{{ .Name }}: {{ .Value | html }}{{ end }}</li>{{ end }}</ul>{{ end }}
{{ if .Alerts.Resolved }}<h3>Resolved</h3><ul>{{ range .Alerts.Resolved }}<li>{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value | html }} {{ end }}</li>{{ end }}</ul>{{ end }}
<p><a href="{{ .ExternalURL }}">Sent by Strata</a></p>
</body></html>{{ end }}
{{ define "nm.default.html" }}{{ template "email.default.html" . }}{{ end }}
{{ define "__alertmanager" }}Strata{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}
{{ define "__title" }}{{ template "__subject" . }}{{ end }}
{{ define "__text_alert_list" }}{{ range . }}{{ "Labels:\\n" }}
  {{- range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\\n" }}{{ end }}
  {{- "Annotations:\\n" }}
  {{- range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\\n" }}{{ end }}
  {{- "Source: " }}{{ .GeneratorURL }}{{ "\\n" }}
{{- end }}{{ end }}
{{ define "__strata.by_status" }}
  {{- if gt (len .Alerts.Firing) 0 }}{{ "\\nAlerts Firing:\\n" }}{{ template "__text_alert_list" .Alerts.Firing }}{{ "\\n" }}{{ end }}{{ "\\n" }}
  {{- if gt (len .Alerts.Resolved) 0 }}{{ "\\nAlerts Resolved:\\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}{{ "\\n" }}{{ end }}{{ "\\n" }}
{{- end }}
{{ define "__strata.common_annotations" }}{{ .CommonAnnotations.SortedPairs.Values | join " " }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
{{ define "discord.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "discord.default.message" }}{{ "\\n" }}{{ template "__strata.by_status" . }}{{ end }}
{{ define "telegram.default.message" }}{{ "\\n" }}{{ template "__strata.by_status" . }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}
{{ define "wechat.default.to_user" }}{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.message" }}{{ template "__subject" . }}{{ "\\n" }}{{ template "__strata.common_annotations" . }}{{ "\\n" }}
  {{- if gt (len .Alerts.Firing) 0 }}{{ "Alerts Firing:\\n" }}{{ template "__text_alert_list" .Alerts.Firing }}{{ end }}{{ "\\n" }}
  {{- if gt (len .Alerts.Resolved) 0 }}{{ "Alerts Resolved:\\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}
  {{- "\\nAlertmanagerUrl:\\n" }}{{ template "__alertmanagerURL" . }}
{{- end }}
{{ define "pushover.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "pushover.default.message" }}{{ template "__strata.common_annotations" . }}{{ "\\n" }}{{ template "__strata.by_status" . }}{{ end }}
{{ define "pushover.default.url" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "dingtalk.default.title" }}{{ template "__title" . }}{{ end }}
{{ define "dingtalk.default.message" }}### {{ template "__title" . }}
{{ range .Alerts }}- **{{ .Status | toUpper }}** {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}{{ range .Annotations.SortedPairs }}
  {{ .Name }}: {{ .Value }}{{ end }}
{{ end }}{{ end }}
{{ define "feishu.default.title" }}{{ template "__title" . }}{{ end }}
{{ define "feishu.default.message" }}{{ template "__title" . }}
{{ template "email.default.text" . }}{{ end }}
{{ define "sms.default.message" }}{{ template "__title" . }}{{ end }}
`;
