import { type CallerIdentity } from '@strata/contracts';
import { UsageError } from '../exit-codes';
import { type Output } from '../output';
import { type ApiTarget } from '../profiles';
import { api } from './http';

/** The flags the HTTP command groups read (parsed once by main). */
export interface Flags {
  tenant?: string;
  name?: string;
  scopes?: string;
  limit?: string;
  cursor?: string;
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  since?: string;
  kind?: string;
  q?: string;
  interval?: string;
  namespace?: string;
  matcher?: string[];
  comment?: string;
  author?: string;
  duration?: string;
  state?: string;
  'expected-version'?: string;
}

/** What one command gets: its arguments, flags, output format and the resolved target. */
export interface CommandContext {
  args: string[];
  flags: Flags;
  output: Output;
  /** The gateway and credential, with the tenant the admin names (`--tenant` or the profile's). */
  target(): Promise<ApiTarget>;
  print(text: string): void;
}

/** One subcommand: its usage line and what it does; the result is the exit code. */
export interface Command {
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** The tenant a command acts on: `--tenant`, the profile's, or (for an API key) the key's own. */
export async function tenantOf(target: ApiTarget): Promise<string> {
  if (target.tenant) return target.tenant;
  // Any valid credential may ask who it is, so a key without the read scope is named too.
  const { body } = await api<CallerIdentity>(target, '/api/v1/whoami');
  if (body.kind === 'api-key') return body.tenantId;
  throw new UsageError('name the tenant with --tenant (the admin token has none of its own)');
}

/** The target without a tenant header, for the admin APIs that take the tenant in the path. */
export function withoutTenant(target: ApiTarget): ApiTarget {
  return { url: target.url, token: target.token };
}

/** The positional argument at `i`, or a usage error naming it. */
export function arg(ctx: CommandContext, i: number, name: string): string {
  const value = ctx.args[i];
  if (value === undefined || value === '') throw new UsageError(`give ${name}`);
  return value;
}

/** Splits `key=value` pairs. */
export function pairs(items: readonly string[]): Array<[string, string]> {
  return items.map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`expected key=value, not ${item}`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** Parses `30s`, `5m`, `2h`, `1d` into seconds. */
export function durationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`${text} is not a duration like 30s, 5m, 2h or 1d`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
