/** What a TCP syslog stream yields: a frame's bytes, or a frame dropped for its size. */
export type SyslogFrame = { kind: 'frame'; bytes: Buffer } | { kind: 'oversized'; bytes: number };

/**
 * Splits a TCP syslog byte stream into messages, RFC 6587 style, deciding per frame: a frame that
 * starts with a digit is octet-counted (`LEN SP MSG`), anything else runs to LF (a CR before it
 * and NUL terminators are dropped). A frame longer than `maxFrameBytes` is skipped whole and
 * reported, so one huge message cannot hold memory or desynchronise the stream.
 */
export class SyslogDeframer {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes still to skip of an oversized octet-counted frame. */
  private skip = 0;
  /** True while skipping an oversized newline frame up to its LF. */
  private skipLine = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes and returns the frames they complete. */
  push(chunk: Buffer): SyslogFrame[] {
    const out: SyslogFrame[] = [];
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let i = 0;
    while (i < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.skipLine) {
        const lf = buf.indexOf(10, i);
        if (lf < 0) {
          i = buf.length;
          break;
        }
        this.skipLine = false;
        i = lf + 1;
        continue;
      }
      const c = buf[i];
      if (c === 10 || c === 13 || c === 0) {
        i++;
        continue;
      }
      if (c >= 0x30 && c <= 0x39) {
        let j = i;
        while (j < buf.length && j - i < 10 && buf[j] >= 0x30 && buf[j] <= 0x39) j++;
        if (j === buf.length) break;
        if (buf[j] === 0x20) {
          const len = Number(buf.subarray(i, j).toString('latin1'));
          if (len > this.maxFrameBytes) {
            out.push({ kind: 'oversized', bytes: len });
            this.skip = len;
            i = j + 1;
            continue;
          }
          if (buf.length - (j + 1) < len) break;
          out.push({ kind: 'frame', bytes: Buffer.from(buf.subarray(j + 1, j + 1 + len)) });
          i = j + 1 + len;
          continue;
        }
      }
      const lf = buf.indexOf(10, i);
      if (lf < 0) {
        if (buf.length - i > this.maxFrameBytes) {
          out.push({ kind: 'oversized', bytes: buf.length - i });
          this.skipLine = true;
          i = buf.length;
        }
        break;
      }
      let end = lf;
      if (end > i && buf[end - 1] === 13) end--;
      if (end - i > this.maxFrameBytes) out.push({ kind: 'oversized', bytes: end - i });
      else out.push({ kind: 'frame', bytes: Buffer.from(buf.subarray(i, end)) });
      i = lf + 1;
    }
    this.pending = i >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(i));
    buf = Buffer.alloc(0);
    return out;
  }

  /** The last frame of a closed connection that had no LF after it, if any. */
  end(): SyslogFrame[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length === 0 || this.skip > 0 || this.skipLine) return [];
    return [{ kind: 'frame', bytes: rest }];
  }
}
