import { type ApiKeyView, type Page, type QuotaView, type TenantView } from '@strata/contracts';
import { render } from '../output';

/** The answer to an issue: the key and its secret, shown this once. */
interface IssuedApiKey {
  key: ApiKeyView;
  secret: string;
}
import { api, qs } from './http';
import { arg, type Command, pairs, withoutTenant } from './command';

const tenantColumns = [
  ['TENANT', (t: TenantView) => t.tenantId],
  ['NAME', (t: TenantView) => t.displayName],
  ['STATUS', (t: TenantView) => t.status],
  ['VERSION', (t: TenantView) => t.version],
  ['CREATED', (t: TenantView) => t.createdAt],
] as const;

const keyColumns = [
  ['KEY', (k: ApiKeyView) => k.keyId],
  ['NAME', (k: ApiKeyView) => k.name],
  ['SCOPES', (k: ApiKeyView) => k.scopes.join(',')],
  ['STATUS', (k: ApiKeyView) => k.status],
  ['EXPIRES', (k: ApiKeyView) => k.expiresAt],
  ['CREATED', (k: ApiKeyView) => k.createdAt],
] as const;

/** `strata tenants ...` over /api/v1/admin/tenants. */
export const TENANTS: Record<string, Command> = {
  list: {
    usage: 'strata tenants list [--limit N] [--cursor C]      tenants (an API key sees its own)',
    async run(ctx) {
      const t = withoutTenant(await ctx.target());
      const page = await api<Page<TenantView>>(
        t,
        `/api/v1/admin/tenants${qs({ limit: ctx.flags.limit, cursor: ctx.flags.cursor })}`,
      );
      ctx.print(render(ctx.output, page.body, page.body.items, tenantColumns));
      return 0;
    },
  },
  get: {
    usage: 'strata tenants get <tenant>                       one tenant',
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const t = withoutTenant(await ctx.target());
      const tenant = await api<TenantView>(t, `/api/v1/admin/tenants/${encodeURIComponent(id)}`);
      ctx.print(render(ctx.output, tenant.body, [tenant.body], tenantColumns));
      return 0;
    },
  },
  create: {
    usage: 'strata tenants create <tenant> [--name <display name>]',
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const t = withoutTenant(await ctx.target());
      const created = await api<TenantView>(t, '/api/v1/admin/tenants', {
        method: 'POST',
        body: { tenantId: id, displayName: ctx.flags.name ?? id },
      });
      ctx.print(render(ctx.output, created.body, [created.body], tenantColumns));
      return 0;
    },
  },
};

function quotaRows(view: QuotaView): Array<{ field: string; value: unknown }> {
  return Object.entries(view.quota).map(([field, value]) => ({ field, value }));
}
const quotaColumns = [
  ['FIELD', (r: { field: string }) => r.field],
  ['VALUE', (r: { value: unknown }) => r.value],
] as const;

/** `strata quotas ...`: read and change a tenant's quota (with If-Match, so a concurrent change is refused). */
export const QUOTAS: Record<string, Command> = {
  get: {
    usage: "strata quotas get <tenant>                        the tenant's quota, a field a row",
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const t = withoutTenant(await ctx.target());
      const quota = await api<QuotaView>(
        t,
        `/api/v1/admin/tenants/${encodeURIComponent(id)}/quota`,
      );
      ctx.print(render(ctx.output, quota.body, quotaRows(quota.body), quotaColumns));
      return 0;
    },
  },
  set: {
    usage:
      'strata quotas set <tenant> field=value...         change fields (e.g. maxActiveSeries=5000)',
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const changes = pairs(ctx.args.slice(1));
      if (changes.length === 0) arg(ctx, 1, 'field=value pairs');
      const t = withoutTenant(await ctx.target());
      const path = `/api/v1/admin/tenants/${encodeURIComponent(id)}/quota`;
      const current = await api<QuotaView>(t, path);
      const body = Object.fromEntries(
        changes.map(([k, v]) => [k, v === '' || Number.isNaN(Number(v)) ? v : Number(v)]),
      );
      const etag = current.headers.get('etag');
      const quota = await api<QuotaView>(t, path, {
        method: 'PATCH',
        body,
        headers: etag ? { 'if-match': etag } : {},
      });
      ctx.print(render(ctx.output, quota.body, quotaRows(quota.body), quotaColumns));
      return 0;
    },
  },
};

/** `strata keys ...`: a tenant's API keys; the secret is printed once, at issue. */
export const KEYS: Record<string, Command> = {
  list: {
    usage: "strata keys list <tenant>                         the tenant's API keys (no secrets)",
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const t = withoutTenant(await ctx.target());
      const page = await api<Page<ApiKeyView>>(
        t,
        `/api/v1/admin/tenants/${encodeURIComponent(id)}/api-keys${qs({ limit: ctx.flags.limit, cursor: ctx.flags.cursor })}`,
      );
      ctx.print(render(ctx.output, page.body, page.body.items, keyColumns));
      return 0;
    },
  },
  issue: {
    usage:
      'strata keys issue <tenant> --name <n> [--scopes read,write,admin]   the secret is shown once',
    async run(ctx) {
      const id = arg(ctx, 0, 'a tenant id');
      const t = withoutTenant(await ctx.target());
      const issued = await api<IssuedApiKey>(
        t,
        `/api/v1/admin/tenants/${encodeURIComponent(id)}/api-keys`,
        {
          method: 'POST',
          body: {
            name: ctx.flags.name ?? 'cli',
            scopes: (ctx.flags.scopes ?? 'read,write').split(',').filter(Boolean),
          },
        },
      );
      ctx.print(
        render(
          ctx.output,
          issued.body,
          [issued.body],
          [
            ['KEY', (k: IssuedApiKey) => k.key.keyId],
            ['SCOPES', (k: IssuedApiKey) => k.key.scopes.join(',')],
            ['SECRET', (k: IssuedApiKey) => k.secret],
          ],
        ),
      );
      return 0;
    },
  },
  revoke: {
    usage: 'strata keys revoke <key id>',
    async run(ctx) {
      const keyId = arg(ctx, 0, 'a key id');
      const t = withoutTenant(await ctx.target());
      const revoked = await api<ApiKeyView>(
        t,
        `/api/v1/admin/api-keys/${encodeURIComponent(keyId)}`,
        {
          method: 'DELETE',
        },
      );
      ctx.print(render(ctx.output, revoked.body, [revoked.body], keyColumns));
      return 0;
    },
  },
};
