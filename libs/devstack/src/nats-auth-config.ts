import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NATS_IDENTITIES,
  NATS_MONOLITH_IDENTITY,
  natsInboxPrefix,
  natsPasswordFile,
  natsPermissionsOf,
  type NatsPermissions,
} from '@strata/contracts';

/**
 * An identity with every permission, for tests and benchmarks that play several parts or use
 * subjects of their own. The dev and test stacks have it; the kustomize config never does.
 */
export const NATS_DEV_ADMIN = 'admin';

/** Where a user's password comes from in the rendered config: the text itself, or an environment variable of nats-server. */
export type NatsPasswordSource = { literal: string } | { env: string };

/** One `users` entry of a nats-server `authorization` block; `all` permissions render no `permissions` block. */
export interface NatsAuthUser {
  user: string;
  password: NatsPasswordSource;
  permissions: NatsPermissions | 'all';
}

/** What a client needs to connect as one identity; spreads into `connectBus` options. */
export interface NatsLogin {
  user: string;
  password: string;
  inboxPrefix: string;
}

const quote = (s: string) => JSON.stringify(s);

function renderPermissions(p: NatsPermissions, indent: string): string[] {
  const list = (subjects: readonly string[]) => `[${subjects.map(quote).join(', ')}]`;
  return [
    `${indent}permissions: {`,
    `${indent}  publish: { allow: ${list(p.publish)} }`,
    `${indent}  subscribe: { allow: ${list(p.subscribe)} }`,
    `${indent}  allow_responses: ${p.allowResponses}`,
    `${indent}}`,
  ];
}

/**
 * The nats-server `authorization { users = [...] }` block for `users`: the piece of config a
 * single server, a cluster node or the kustomize ConfigMap includes. Subjects are quoted, so
 * `$JS...` is never read as a variable; a password from `env` is one (`$NAME`).
 */
export function natsAuthConfig(users: readonly NatsAuthUser[]): string {
  const lines = ['authorization {', '  users = ['];
  for (const u of users) {
    const password = 'env' in u.password ? `$${u.password.env}` : quote(u.password.literal);
    lines.push('    {', `      user: ${quote(u.user)}`, `      password: ${password}`);
    if (u.permissions !== 'all') lines.push(...renderPermissions(u.permissions, '      '));
    lines.push('    }');
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}

/** Every platform identity (and the dev admin unless left out) with the password `passwordOf` gives it. */
export function platformNatsUsers(
  passwordOf: (identity: string) => NatsPasswordSource,
  options: { devAdmin?: boolean; monolith?: boolean } = {},
): NatsAuthUser[] {
  const identities = NATS_IDENTITIES.filter(
    (i) => options.monolith !== false || i !== NATS_MONOLITH_IDENTITY,
  );
  return [
    ...identities.map((identity) => ({
      user: identity,
      password: passwordOf(identity),
      permissions: natsPermissionsOf(identity),
    })),
    ...(options.devAdmin !== false
      ? [
          {
            user: NATS_DEV_ADMIN,
            password: passwordOf(NATS_DEV_ADMIN),
            permissions: 'all' as const,
          },
        ]
      : []),
  ];
}

/** The variable of the kustomize nats-server that holds an identity's password (from that identity's Secret). */
export function natsPasswordEnvName(identity: string): string {
  return `STRATA_NATS_PASSWORD_${identity.toUpperCase().replace(/-/g, '_')}`;
}

/** The auth block of the kustomize base: one user per service, passwords from the per-service Secrets. */
export function deployNatsAuthConfig(): string {
  const header =
    '# Generated from libs/contracts/src/nats-permissions.ts by `npm run nats-auth:deploy`; do not edit.\n';
  return (
    header +
    natsAuthConfig(
      platformNatsUsers((identity) => ({ env: natsPasswordEnvName(identity) }), {
        devAdmin: false,
        monolith: false,
      }),
    )
  );
}

/**
 * Makes sure `dir` holds one password file per platform identity and the dev admin (kept across
 * restarts, so a running shell's credentials stay valid) and returns the logins.
 */
export function ensureNatsCredentials(dir: string): Map<string, NatsLogin> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logins = new Map<string, NatsLogin>();
  for (const identity of [...NATS_IDENTITIES, NATS_DEV_ADMIN]) {
    const file = join(dir, natsPasswordFile(identity));
    if (!existsSync(file))
      writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    logins.set(identity, {
      user: identity,
      password: readFileSync(file, 'utf8').trim(),
      inboxPrefix: natsInboxPrefix(identity),
    });
  }
  return logins;
}
