import { randomUUID } from 'node:crypto';
import { type LabelSet } from './labels';
import { type Matcher, MatcherParseError, matchesAll, newMatcher } from './matchers';

/** A silence matcher as API v2 carries it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

/** A silence as stored; times in ms since the epoch. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** `silencepb` states: before its start, between start and end, after its end. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** A silence was refused; `status` is what API v2 answers (400 invalid, 404 unknown id). */
export class SilenceError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'not_found' | 'expired',
  ) {
    super(message);
  }
}

/** The state of a silence at `now`. */
export function silenceState(s: Silence, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now >= s.endsAt) return 'expired';
  return 'active';
}

/** The label matchers of a silence. */
export function silenceMatchers(s: Silence): Matcher[] {
  return s.matchers.map((m) =>
    newMatcher(
      m.name,
      m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=',
      m.value,
    ),
  );
}

/** Validates a silence as Alertmanager's `validateSilence`, throwing {@link SilenceError}. */
export function validateSilence(s: Omit<Silence, 'id' | 'updatedAt'>, now: number): void {
  if (s.matchers.length === 0) throw new SilenceError('at least one matcher required', 'invalid');
  let matchers: Matcher[];
  try {
    matchers = silenceMatchers({ ...s, id: '', updatedAt: 0 });
  } catch (e) {
    if (e instanceof MatcherParseError)
      throw new SilenceError(`invalid label matcher: ${e.message}`, 'invalid');
    throw e;
  }
  for (const m of s.matchers)
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name))
      throw new SilenceError(`invalid label matcher: invalid label name "${m.name}"`, 'invalid');
  if (matchers.every((m) => matchesAll([m], {})))
    throw new SilenceError('at least one matcher must not match the empty string', 'invalid');
  if (s.endsAt < s.startsAt)
    throw new SilenceError('end time must not be before start time', 'invalid');
  if (s.endsAt <= now) throw new SilenceError("end time can't be in the past", 'invalid');
}

/**
 * A tenant's silences (Alertmanager's `silence.Silences`): set creates or updates, expire ends one
 * now, and `mutes` answers whether an active silence covers a label set. `onChange` persists.
 */
export class SilenceSet {
  private readonly byId = new Map<string, Silence>();

  constructor(
    private readonly now: () => number,
    private readonly onChange: (s: Silence) => Promise<void> = async () => undefined,
  ) {}

  /** Loads stored silences (no persistence callback). */
  restore(silences: readonly Silence[]): void {
    for (const s of silences) this.byId.set(s.id, s);
  }

  /** Creates, or updates in place, a silence; an expired one is replaced by a new id. Returns its id. */
  async set(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): Promise<string> {
    const now = this.now();
    validateSilence(input, now);
    let id = input.id;
    if (id !== undefined && id !== '') {
      const old = this.byId.get(id);
      if (old === undefined) throw new SilenceError(`silence ${id} not found`, 'not_found');
      if (silenceState(old, now) === 'expired') id = undefined;
    }
    const s: Silence = { ...input, id: id || randomUUID(), updatedAt: now };
    this.byId.set(s.id, s);
    await this.onChange(s);
    return s.id;
  }

  /** Ends a silence now (a pending one ends before it starts). */
  async expire(id: string): Promise<void> {
    const now = this.now();
    const old = this.byId.get(id);
    if (old === undefined) throw new SilenceError(`silence ${id} not found`, 'not_found');
    if (silenceState(old, now) === 'expired')
      throw new SilenceError(`silence ${id} already expired`, 'expired');
    const s: Silence = {
      ...old,
      startsAt: Math.min(old.startsAt, now),
      endsAt: now,
      updatedAt: now,
    };
    this.byId.set(id, s);
    await this.onChange(s);
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id);
  }

  list(): Silence[] {
    return [...this.byId.values()];
  }

  /** Ids of the active silences that match `labels`. */
  silencedBy(labels: LabelSet): string[] {
    // Asked of every alert a flush sends: no copy of the silences, nothing when there are none.
    const ids: string[] = [];
    if (this.byId.size === 0) return ids;
    const now = this.now();
    for (const s of this.byId.values())
      if (silenceState(s, now) === 'active' && matchesAll(silenceMatchers(s), labels))
        ids.push(s.id);
    return ids;
  }
}
