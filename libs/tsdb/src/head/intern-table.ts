import { LABEL_SEP } from '../label-block';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Texts held under one hash at most. The hash is not seeded, so a tenant can send texts that all
 * collide ("Aa" and "BB" do); past this many a text is returned unshared rather than searched
 * for in an ever longer list, which keeps every lookup bounded for every tenant.
 */
const MAX_SHARED_PER_HASH = 8;

/**
 * One string per distinct label text, found by a hash of its UTF-8 bytes: a text read from a
 * label block is matched against the strings held without first making a string of it, so only
 * texts the head has never seen (an instance, a pod) are decoded.
 */
export class InternTable {
  private readonly byHash = new Map<number, string | string[]>();
  /** Where the text {@link fromBlock} read last ends (at its separator). */
  textEnd = 0;

  /** The held string equal to `s`, holding `s` when there is none. */
  of(s: string): string {
    let h = 0;
    let ascii = true;
    for (let i = 0; i < s.length && ascii; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      else h = (Math.imul(h, 31) + c) | 0;
    }
    if (!ascii) {
      const bytes = Buffer.from(s, 'utf8');
      h = hashBytes(bytes, 0, bytes.length);
    }
    const e = this.byHash.get(h);
    if (e === s) return e;
    if (Array.isArray(e)) for (const x of e) if (x === s) return x;
    return this.hold(h, e, s);
  }

  /**
   * The text of a label block starting at `start` (up to the next separator, which
   * {@link textEnd} then gives), as a held string; throws a RangeError when no separator follows.
   */
  fromBlock(buf: Uint8Array, start: number, end: number): string {
    let h = 0;
    let ascii = true;
    let i = start;
    for (; i < end; i++) {
      const b = buf[i];
      if (b === LABEL_SEP) break;
      if (b >= 0x80) ascii = false;
      h = (Math.imul(h, 31) + b) | 0;
    }
    if (i === end) throw new RangeError('label block ends inside a label');
    this.textEnd = i;
    const e = this.byHash.get(h);
    if (e !== undefined) {
      if (typeof e === 'string') {
        if (sameText(e, buf, start, i, ascii)) return e;
      } else {
        for (const x of e) if (sameText(x, buf, start, i, ascii)) return x;
      }
    }
    const s = ascii
      ? String.fromCharCode.apply(null, buf.subarray(start, i) as unknown as number[])
      : utf8.decode(buf.subarray(start, i));
    return this.hold(h, e, s);
  }

  /** Holds `s` under `h`, beside `held` (what the hash held before), up to the limit. */
  private hold(h: number, held: string | string[] | undefined, s: string): string {
    if (held === undefined) this.byHash.set(h, s);
    else if (typeof held === 'string') this.byHash.set(h, [held, s]);
    else if (held.length < MAX_SHARED_PER_HASH) held.push(s);
    return s;
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  return h;
}

function sameText(s: string, buf: Uint8Array, start: number, end: number, ascii: boolean): boolean {
  if (!ascii) return s === utf8.decode(buf.subarray(start, end));
  if (s.length !== end - start) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}
