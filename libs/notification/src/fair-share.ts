import { createHash } from 'node:crypto';

/** What a replica announces of its delivery leases (`NotificationMember`). */
export interface MemberLoad {
  readonly owner: string;
  /** Leases it holds. */
  readonly holds: number;
  /** Tenants it runs, whose leases it asks for. */
  readonly wants: number;
}

/** The most leases a replica asks for: its tenants over the live replicas, rounded up. */
export function fairShare(wants: number, members: number): number {
  return Math.ceil(wants / Math.max(1, members));
}

/**
 * How many leases `self` gives back this round, given the other live replicas' announcements: its
 * surplus over its fair share (a replica joined); else one when it holds the most (ties to the
 * lowest owner) and a replica still asking holds two fewer or less, so that holdings end within
 * one of each other (10 tenants over 3 replicas are 4, 3, 3, not the 4, 4, 2 that shares alone
 * leave). Only the heaviest gives that one: a lease given back goes to whoever asks first.
 */
export function leasesToGiveBack(self: MemberLoad, others: readonly MemberLoad[]): number {
  const members = others.length + 1;
  const share = fairShare(self.wants, members);
  if (self.holds > share) return self.holds - share;
  const heaviest = others.every(
    (o) => o.holds < self.holds || (o.holds === self.holds && o.owner > self.owner),
  );
  const starved = others.some(
    (o) => o.holds <= self.holds - 2 && o.holds < Math.min(o.wants, fairShare(o.wants, members)),
  );
  return heaviest && starved ? 1 : 0;
}

/**
 * The `count` tenants `owner` gives back: the highest by a hash of tenant and owner, so the choice
 * is the same every round and differs between replicas (they do not all give back the same ones).
 */
export function chooseGivenBack(owner: string, tenants: Iterable<string>, count: number): string[] {
  if (count <= 0) return [];
  const rank = (tenantId: string): string =>
    createHash('sha256').update(owner).update('\u0000').update(tenantId).digest('hex');
  return [...tenants]
    .map((t) => ({ t, r: rank(t) }))
    .sort((a, b) => (a.r < b.r ? 1 : a.r > b.r ? -1 : 0))
    .slice(0, count)
    .map((x) => x.t);
}
