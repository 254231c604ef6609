import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One mail as a reader sees it: headers unfolded and decoded, each text part decoded by its type. */
export interface CapturedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  /** Lower-case header names; encoded words (RFC 2047) decoded. */
  readonly headers: Readonly<Record<string, string>>;
  /** Decoded bodies by content type (`text/html`, `text/plain`). */
  readonly parts: Readonly<Record<string, string>>;
  /** The MIME structure: each entity's content type (boundary left out) and transfer encoding, depth first. */
  readonly structure: readonly MimeEntity[];
}

/** One entity of a message's MIME tree, as {@link CapturedMail.structure} lists them. */
export interface MimeEntity {
  /** Nesting depth: 0 for the message itself. */
  readonly depth: number;
  /** The Content-Type header without its boundary parameter. */
  readonly contentType: string;
  /** The Content-Transfer-Encoding header, '' when absent. */
  readonly transferEncoding: string;
}

/** A local SMTP server (npm `smtp-server`, no TLS, no AUTH) that keeps every mail decoded. */
export interface SmtpCapture {
  readonly port: number;
  readonly mails: CapturedMail[];
  close(): Promise<void>;
}

/** Starts an SMTP capture on loopback. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { headers, parts, structure } = decodeMime(Buffer.concat(chunks).toString('utf8'));
        mails.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          headers,
          parts,
          structure,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function splitHead(raw: string): { head: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const headText = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const head: Record<string, string> = {};
  for (const line of headText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      head[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { head, body };
}

function decodeWords(v: string): string {
  return v
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : qp(text.replace(/_/g, ' ')),
    );
}

function qp(text: string): string {
  const bytes: number[] = [];
  const s = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(head: Record<string, string>, body: string): string {
  const enc = (head['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return qp(body);
  return body;
}

/** Headers and the decoded text parts of a MIME message (multipart or not). */
export function decodeMime(raw: string): {
  headers: Record<string, string>;
  parts: Record<string, string>;
  structure: MimeEntity[];
} {
  const { head, body } = splitHead(raw);
  const parts: Record<string, string> = {};
  const structure: MimeEntity[] = [];
  const collect = (h: Record<string, string>, b: string, depth: number): void => {
    const type = (h['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
    const boundary = /boundary="?([^";]+)"?/i.exec(h['content-type'] ?? '')?.[1];
    structure.push({
      depth,
      contentType: (h['content-type'] ?? '')
        .replace(/;?\s*boundary="?[^";]+"?/i, '')
        .replace(/\s+/g, ' ')
        .trim(),
      transferEncoding: h['content-transfer-encoding'] ?? '',
    });
    if (type.startsWith('multipart/') && boundary !== undefined) {
      for (const chunk of b.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        const inner = splitHead(chunk.replace(/^\r?\n/, ''));
        collect(inner.head, inner.body.replace(/\r?\n$/, ''), depth + 1);
      }
    } else parts[type] = decodeBody(h, b).replace(/\r\n/g, '\n');
  };
  collect(head, body, 0);
  return { headers: head, parts, structure };
}
