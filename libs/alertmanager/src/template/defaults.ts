/**
 * Strata's default notification templates, written for Strata: `email.default.subject` gives
 * Alertmanager's subject line (`[FIRING:2] <group label values> (<other common label values>)`);
 * the bodies and the chat defaults (`slack.default.*`, `discord.*`, `telegram.*`, `wechat.*`,
 * `pushover.*`, `dingtalk.*`, `feishu.*`, `sms.*`) are Strata's own. notification-manager's `nm.default.*` names are defined alike.
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
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}
{{ define "__title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}Strata{{ end }}
{{ define "slack.default.title" }}{{ template "__title" . }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.text" }}{{ template "email.default.text" . }}{{ end }}
{{ define "discord.default.title" }}{{ template "__title" . }}{{ end }}
{{ define "discord.default.message" }}{{ template "email.default.text" . }}{{ end }}
{{ define "__html_alert" }}[{{ .Status | toUpper }}] {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value | html }} {{ end }}{{ range .Annotations.SortedPairs }}
  {{ .Name }}: {{ .Value | html }}{{ end }}
{{ end }}
{{ define "telegram.default.message" }}{{ range .Alerts.Firing }}{{ template "__html_alert" . }}{{ end }}{{ range .Alerts.Resolved }}{{ template "__html_alert" . }}{{ end }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}
{{ define "wechat.default.to_user" }}@all{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.message" }}{{ template "__title" . }}
{{ template "email.default.text" . }}{{ end }}
{{ define "pushover.default.title" }}{{ template "__title" . }}{{ end }}
{{ define "pushover.default.message" }}{{ template "email.default.text" . }}{{ end }}
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
