import {
  type GettableAlert,
  type GettableSilence,
  type HistoryPage,
  type PromRuleGroupStatus,
  type SilenceMatcher,
} from '@strata/contracts';
import { render } from '../output';
import { api, qs } from './http';
import { arg, type Command, durationSeconds } from './command';
import { UsageError } from '../exit-codes';

const labels = (l: Record<string, string>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');

const matchers = (ms: readonly SilenceMatcher[]): string =>
  ms
    .map(
      (m) =>
        `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}${JSON.stringify(m.value)}`,
    )
    .join(',');

/** `name=value`, `name!=value`, `name=~re`, `name!~re` as Alertmanager's matcher object. */
export function parseMatcher(text: string): SilenceMatcher {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(text);
  if (!match)
    throw new UsageError(`--matcher ${text} is not name=value, name!=value, name=~re or name!~re`);
  const [, name, op, raw] = match;
  const value = /^".*"$/.test(raw) ? (JSON.parse(raw) as string) : raw;
  return { name, value, isRegex: op.includes('~'), isEqual: !op.startsWith('!') };
}

/** `strata rules status`: the ruler's groups with each rule's health and last evaluation. */
export const RULES_STATUS: Command = {
  usage:
    "strata rules status --tenant <t>                  each rule's health, state and last evaluation",
  async run(ctx) {
    const t = await ctx.target();
    const res = await api<{ data: { groups: PromRuleGroupStatus[] } }>(
      t,
      `/api/v1/rules${qs({ type: ctx.flags.type })}`,
    );
    const rows = res.body.data.groups.flatMap((g) => g.rules.map((r) => ({ group: g, rule: r })));
    ctx.print(
      render(ctx.output, res.body.data, rows, [
        ['NAMESPACE', (r) => r.group.file],
        ['GROUP', (r) => r.group.name],
        ['RULE', (r) => r.rule.name],
        ['TYPE', (r) => r.rule.type],
        ['HEALTH', (r) => r.rule.health],
        ['STATE', (r) => (r.rule.type === 'alerting' ? r.rule.state : undefined)],
        ['ALERTS', (r) => (r.rule.type === 'alerting' ? r.rule.alerts.length : undefined)],
        ['LAST EVALUATION', (r) => r.rule.lastEvaluation],
        ['ERROR', (r) => r.rule.lastError],
      ]),
    );
    return 0;
  },
};

/** `strata alerts history`: the tenant's notification deliveries, newest first. */
const ALERTS_HISTORY: Command = {
  usage:
    'strata alerts history --tenant <t> [--state sent|failed] [--limit N]   notifications delivered or failed',
  async run(ctx) {
    const t = await ctx.target();
    const state = ctx.flags.state;
    if (state !== undefined && state !== 'sent' && state !== 'failed')
      throw new UsageError('--state is sent or failed');
    const res = await api<HistoryPage>(
      t,
      `/api/v1/notifications/history${qs({ status: state, limit: ctx.flags.limit, cursor: ctx.flags.cursor })}`,
    );
    ctx.print(
      render(ctx.output, res.body, res.body.items, [
        ['TIME', (e) => e.at],
        ['RECEIVER', (e) => e.receiver],
        ['INTEGRATION', (e) => e.integration],
        ['STATUS', (e) => e.status],
        ['ALERTS', (e) => [...new Set(e.alerts.map((a) => a.labels.alertname))].join(',')],
        ['ATTEMPTS', (e) => e.attempts],
        ['ERROR', (e) => e.error],
      ]),
    );
    return 0;
  },
};

/** `strata alerts ...` over Alertmanager's API v2. */
export const ALERTS: Record<string, Command> = {
  list: {
    usage:
      "strata alerts list --tenant <t> [--matcher m]...  the tenant's alerts in its Alertmanager",
    async run(ctx) {
      const t = await ctx.target();
      const filter = (ctx.flags.matcher ?? []).map((m) => `filter=${encodeURIComponent(m)}`);
      const res = await api<GettableAlert[]>(
        t,
        `/alertmanager/api/v2/alerts${filter.length ? `?${filter.join('&')}` : ''}`,
      );
      ctx.print(
        render(ctx.output, res.body, res.body, [
          ['ALERTNAME', (a) => a.labels.alertname],
          ['STATE', (a) => a.status.state],
          ['STARTS', (a) => a.startsAt],
          ['LABELS', (a) => labels(a.labels)],
          ['SILENCED BY', (a) => a.status.silencedBy.join(',')],
        ]),
      );
      return 0;
    },
  },
  history: ALERTS_HISTORY,
};

const silenceColumns = [
  ['ID', (s: GettableSilence) => s.id],
  ['STATE', (s: GettableSilence) => s.status.state],
  ['MATCHERS', (s: GettableSilence) => matchers(s.matchers)],
  ['ENDS', (s: GettableSilence) => s.endsAt],
  ['CREATED BY', (s: GettableSilence) => s.createdBy],
  ['COMMENT', (s: GettableSilence) => s.comment],
] as const;

/** `strata silences ...` over Alertmanager's API v2, as amtool does. */
export const SILENCES: Record<string, Command> = {
  list: {
    usage: "strata silences list --tenant <t>                 the tenant's silences",
    async run(ctx) {
      const t = await ctx.target();
      const res = await api<GettableSilence[]>(t, '/alertmanager/api/v2/silences');
      ctx.print(render(ctx.output, res.body, res.body, silenceColumns));
      return 0;
    },
  },
  create: {
    usage:
      'strata silences create --tenant <t> --matcher name=value... [--duration 1h] [--comment c] [--author a]',
    async run(ctx) {
      const ms = (ctx.flags.matcher ?? []).map(parseMatcher);
      if (ms.length === 0) throw new UsageError('give at least one --matcher');
      const t = await ctx.target();
      const start = Date.now();
      const res = await api<{ silenceID: string }>(t, '/alertmanager/api/v2/silences', {
        method: 'POST',
        body: {
          matchers: ms,
          startsAt: new Date(start).toISOString(),
          endsAt: new Date(
            start + durationSeconds(ctx.flags.duration ?? '1h') * 1000,
          ).toISOString(),
          createdBy: ctx.flags.author ?? 'strata-cli',
          comment: ctx.flags.comment ?? 'silenced with the strata CLI',
        },
      });
      ctx.print(render(ctx.output, res.body, [res.body], [['SILENCE ID', (r) => r.silenceID]]));
      return 0;
    },
  },
  expire: {
    usage: 'strata silences expire --tenant <t> <id>',
    async run(ctx) {
      const id = arg(ctx, 0, 'a silence id');
      const t = await ctx.target();
      await api(t, `/alertmanager/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
      ctx.print(`expired ${id}`);
      return 0;
    },
  },
};
