import {
  type AuditEntry,
  type EventSearchResult,
  type Page,
  type PipelineView,
  type RegisteredModelView,
} from '@strata/contracts';
import { UsageError } from '../exit-codes';
import { render } from '../output';
import { api, qs } from './http';
import { arg, type Command, durationSeconds, tenantOf, withoutTenant } from './command';
import { PIPELINE_STATS } from './pipeline-stats';

/** `strata audit list`: the control plane's audit trail through the API (replay and verify read Postgres). */
export const AUDIT_LIST: Command = {
  usage:
    'strata audit list [--tenant t] [--actor a] [--type QuotaSet] [--from T] [--to T] [--limit N]',
  async run(ctx) {
    const t = withoutTenant(await ctx.target());
    const f = ctx.flags;
    const page = await api<Page<AuditEntry>>(
      t,
      `/api/v1/admin/audit${qs({ tenant: f.tenant, actor: f.actor, type: f.type, from: f.from, to: f.to, limit: f.limit, cursor: f.cursor })}`,
    );
    ctx.print(
      render(ctx.output, page.body, page.body.items, [
        ['POSITION', (e) => e.position],
        ['RECORDED', (e) => e.recordedAt],
        ['TYPE', (e) => e.type],
        ['TENANT', (e) => e.tenantId],
        ['ACTOR', (e) => e.actor],
        ['STREAM', (e) => e.streamId],
      ]),
    );
    return 0;
  },
};

/** `strata events search`: the archive of Kubernetes events (or audit events) with a histogram. */
export const EVENTS: Record<string, Command> = {
  search: {
    usage:
      'strata events search --tenant <t> [--kind events|audit] [--since 1h] [--q text] [--namespace ns] [--interval 5m] [--limit N]',
    async run(ctx) {
      const f = ctx.flags;
      const kind = f.kind ?? 'events';
      if (kind !== 'events' && kind !== 'audit') throw new UsageError('--kind is events or audit');
      const end = Date.now();
      const start = end - durationSeconds(f.since ?? '1h') * 1000;
      const t = await ctx.target();
      const res = await api<EventSearchResult>(
        t,
        `/api/v1/${kind}/search${qs({
          start: new Date(start).toISOString(),
          end: new Date(end).toISOString(),
          q: f.q,
          namespace: f.namespace,
          type: f.type,
          limit: f.limit,
          cursor: f.cursor,
          interval: f.interval,
        })}`,
      );
      const text = (e: Record<string, unknown>, ...keys: string[]): unknown =>
        keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], e);
      ctx.print(
        render(ctx.output, res.body, res.body.items, [
          ['TIME', (i) => i.time],
          ['CLUSTER', (i) => i.cluster],
          [
            'NAMESPACE',
            (i) =>
              text(i.event, 'involvedObject', 'namespace') ??
              text(i.event, 'objectRef', 'namespace'),
          ],
          ['REASON/VERB', (i) => text(i.event, 'reason') ?? text(i.event, 'verb')],
          ['MESSAGE/URI', (i) => text(i.event, 'message') ?? text(i.event, 'requestURI')],
        ]),
      );
      return 0;
    },
  },
};

/** `strata pipelines ...`: the tenant's log pipelines. */
export const PIPELINES: Record<string, Command> = {
  list: {
    usage: "strata pipelines list --tenant <t>                the tenant's log pipelines",
    async run(ctx) {
      const target = await ctx.target();
      const tenant = await tenantOf(target);
      const page = await api<Page<PipelineView>>(
        withoutTenant(target),
        `/api/v1/admin/tenants/${encodeURIComponent(tenant)}/log-pipelines${qs({ limit: ctx.flags.limit, cursor: ctx.flags.cursor })}`,
      );
      ctx.print(
        render(ctx.output, page.body, page.body.items, [
          ['NAME', (p) => p.pipeline.name],
          ['TRANSFORMS', (p) => Object.keys(p.pipeline.transforms).join(',')],
          ['SINKS', (p) => Object.keys(p.pipeline.sinks).join(',')],
          ['VERSION', (p) => p.version],
          ['UPDATED', (p) => p.updatedAt],
        ]),
      );
      return 0;
    },
  },
  get: {
    usage: 'strata pipelines get --tenant <t> <name>          one pipeline; -o yaml for its spec',
    async run(ctx) {
      const name = arg(ctx, 0, 'a pipeline name');
      const target = await ctx.target();
      const tenant = await tenantOf(target);
      const view = await api<PipelineView>(
        withoutTenant(target),
        `/api/v1/admin/tenants/${encodeURIComponent(tenant)}/log-pipelines/${encodeURIComponent(name)}`,
      );
      ctx.print(
        render(
          ctx.output,
          view.body,
          [view.body],
          [
            ['NAME', (p) => p.pipeline.name],
            ['VERSION', (p) => p.version],
            ['UPDATED', (p) => p.updatedAt],
          ],
        ),
      );
      return 0;
    },
  },
  stats: PIPELINE_STATS,
};

/** `strata models registered [name]`: registered models, or one model's versions and aliases. */
export const MODELS_REGISTERED: Command = {
  usage:
    "strata models registered [<model>] [--q <substring>]  registered models, or a model's versions and aliases",
  async run(ctx) {
    const t = await ctx.target();
    const name = ctx.args[0];
    if (name === undefined) {
      const page = await api<Page<RegisteredModelView>>(
        t,
        `/api/v1/registry/models${qs({ name: ctx.flags.q, cursor: ctx.flags.cursor })}`,
      );
      ctx.print(
        render(ctx.output, page.body, page.body.items, [
          ['MODEL', (m) => m.name],
          ['LATEST', (m) => m.latestVersion],
          ['VERSIONS', (m) => m.versions.length],
          [
            'ALIASES',
            (m) =>
              Object.entries(m.aliases)
                .map(([a, v]) => `${a}=${v}`)
                .join(','),
          ],
          ['UPDATED', (m) => m.updatedAt],
        ]),
      );
      return 0;
    }
    const model = await api<RegisteredModelView>(
      t,
      `/api/v1/registry/models/${encodeURIComponent(name)}`,
    );
    ctx.print(
      render(ctx.output, model.body, model.body.versions, [
        ['VERSION', (v) => v.version],
        ['ALIASES', (v) => v.aliases.join(',')],
        ['SOURCE', (v) => v.source],
        ['RUN', (v) => v.runId],
        ['CREATED', (v) => v.createdAt],
      ]),
    );
    return 0;
  },
};
