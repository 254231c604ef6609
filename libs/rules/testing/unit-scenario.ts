import { type UnitScenario } from './promtool-unit';

const RULES = `groups:
  - name: recording
    rules:
      - record: job:http_requests:rate3m30s
        expr: sum by (job) (rate(http_requests_total[3m30s]))
      - record: job:http_requests:rate3m30s_x2
        expr: job:http_requests:rate3m30s * 2
        labels:
          derived: "yes"
      - record: request_duration:p50
        expr: histogram_quantile(0.5, sum by (le) (rate(request_duration_bucket[3m30s])))
      - record: gone:copy
        expr: gone
  - name: alerts
    rules:
      - alert: HighRate
        expr: job:http_requests:rate3m30s > 0.6
        for: 2m
        labels:
          severity: "{{ if gt $value 1.5 }}page{{ else }}ticket{{ end }}"
        annotations:
          summary: "{{ $labels.job }} at {{ $value | humanize }} req/s"
          where: "{{ $externalURL }}/graph {{ $externalLabels.cluster }}"
          top: '{{ with query "topk(1, job:http_requests:rate3m30s)" }}{{ (first .).Labels.job }}{{ end }}'
      - alert: Flappy
        expr: flappy > 0
        for: 1m
        keep_firing_for: 3m
        annotations:
          value: "{{ $value }}"
      - alert: Gone
        expr: absent(gone)
        annotations:
          since: "{{ humanizeDuration 90 }}"
      - alert: TempHigh
        expr: temperature > 45
        labels:
          room_copy: "{{ $labels.room }}"
          empty: "{{ $labels.nothing }}"
        annotations:
          text: '{{ printf "%.1f" $value }} in {{ $labels.room | toUpper }}'
`;

const minutes = (...m: number[]): number[] => m.map((x) => x * 60_000);

/**
 * Recording rules over counters and classic histograms, a rule reading the rule before it, alerts
 * with `for`, `keep_firing_for`, templates (including `query`), a series that goes away (staleness
 * of what was recorded from it), and checks of ALERTS and ALERTS_FOR_STATE over 20 minutes.
 */
export const UNIT_SCENARIO: UnitScenario = {
  ruleFileName: 'rules.yml',
  ruleFile: RULES,
  groupEvalOrder: ['recording', 'alerts'],
  evaluationIntervalMs: 60_000,
  inputIntervalMs: 60_000,
  externalLabels: { cluster: 'c1' },
  externalURL: 'http://prom.example.com:9090',
  inputSeries: [
    { series: 'http_requests_total{job="api", instance="a"}', values: '0+30x30' },
    { series: 'http_requests_total{job="api", instance="b"}', values: '0+60x10 600+120x20' },
    { series: 'http_requests_total{job="web", instance="c"}', values: '0+6x30' },
    { series: 'request_duration_bucket{le="0.1"}', values: '0+10x30' },
    { series: 'request_duration_bucket{le="0.5"}', values: '0+25x30' },
    { series: 'request_duration_bucket{le="+Inf"}', values: '0+30x30' },
    { series: 'flappy{job="f"}', values: '1 1 1 0 0 1 0 0 0 0 0 0 1 1 1 1 _ _ 1 1 1' },
    // Ends with a staleness marker: where a series merely stops, Prometheus 2.42's engine (the
    // promtool at hand) still sees it 5m later and Prometheus 3's does not, which is not the ruler's business.
    { series: 'gone{job="g"}', values: '1x5 stale' },
    { series: 'temperature{room="x"}', values: '10+10x20' },
  ],
  alertChecks: [
    ...minutes(0, 1, 2, 3, 4, 5, 8, 10, 11, 12, 15).map((t) => ({
      evalTimeMs: t,
      alertname: 'HighRate',
    })),
    ...minutes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20).map((t) => ({
      evalTimeMs: t,
      alertname: 'Flappy',
    })),
    ...minutes(5, 6, 7, 9).map((t) => ({ evalTimeMs: t, alertname: 'Gone' })),
    ...minutes(3, 5, 12).map((t) => ({ evalTimeMs: t, alertname: 'TempHigh' })),
    { evalTimeMs: 90_000, alertname: 'Flappy' },
  ],
  exprChecks: [
    ...minutes(1, 2, 5, 8, 14, 20).map((t) => ({ evalTimeMs: t, expr: 'ALERTS' })),
    ...minutes(5, 14, 20).map((t) => ({ evalTimeMs: t, expr: 'ALERTS_FOR_STATE' })),
    ...minutes(5, 12).map((t) => ({ evalTimeMs: t, expr: 'job:http_requests:rate3m30s' })),
    { evalTimeMs: 300_000, expr: 'job:http_requests:rate3m30s_x2' },
    { evalTimeMs: 360_000, expr: 'request_duration:p50' },
    ...minutes(5, 6, 7).map((t) => ({ evalTimeMs: t, expr: 'gone:copy' })),
    { evalTimeMs: 720_000, expr: 'count_over_time(ALERTS{alertname="Flappy"}[4m30s])' },
    { evalTimeMs: 1_200_000, expr: 'count_over_time(ALERTS{alertstate="pending"}[19m30s])' },
    { evalTimeMs: 1_200_000, expr: 'count_over_time(gone:copy[19m30s])' },
  ],
};
