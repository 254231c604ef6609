import { rfc3339ToNs } from '../transforms/parsers';

/** Syslog facility names by number (RFC 5424 §6.2.1, as rsyslog names them). */
export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** Syslog severity names by number (RFC 5424 §6.2.1). */
export const SYSLOG_SEVERITIES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

/** One syslog message split into its header parts; absent parts were nil (`-`) or missing. */
export interface SyslogMessage {
  /** Facility number, 0–23. */
  facility: number;
  /** Severity number, 0–7. */
  severity: number;
  /** The header's time as written (RFC 3339 for RFC 5424, `Mmm dd hh:mm:ss` for RFC 3164). */
  timestamp?: string;
  /** That time as epoch nanoseconds (RFC 3164: the current UTC year, read as UTC). */
  timeNs?: string;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data as `{id: {param: value}}`. */
  structuredData?: Record<string, Record<string, string>>;
  /** The MSG part (a leading BOM removed); the whole text after PRI when the header is broken. */
  message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC3164_TIME = /^([A-Z][a-z]{2}) ([ \d]?\d) (\d\d):(\d\d):(\d\d) /;

/**
 * Parses RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or RFC 3164
 * (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, each part after PRI optional); null when the text
 * has no valid PRI. `nowMs` supplies the year RFC 3164 leaves out.
 */
export function parseSyslogMessage(text: string, nowMs: number): SyslogMessage | null {
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri || Number(pri[1]) > 191) return null;
  const code = Number(pri[1]);
  const base = { facility: code >> 3, severity: code & 7 };
  const rest = text.slice(pri[0].length);
  if (rest.startsWith('1 ')) return parse5424(rest.slice(2), base) ?? { ...base, message: rest };
  return { ...base, ...parse3164(rest, nowMs) };
}

function parse5424(s: string, base: { facility: number; severity: number }): SyslogMessage | null {
  const parts: string[] = [];
  let i = 0;
  for (let n = 0; n < 5; n++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return null;
    parts.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [timestamp, hostname, appName, procId, msgId] = parts;
  const out: SyslogMessage = { ...base, message: '' };
  if (timestamp !== '-') {
    const ns = rfc3339ToNs(timestamp);
    if (ns === null || ns.startsWith('-')) return null;
    out.timestamp = timestamp;
    out.timeNs = ns;
  }
  if (hostname !== '-') out.hostname = hostname;
  if (appName !== '-') out.appName = appName;
  if (procId !== '-') out.procId = procId;
  if (msgId !== '-') out.msgId = msgId;
  if (s[i] === '-') i++;
  else if (s[i] === '[') {
    const sd: Record<string, Record<string, string>> = {};
    while (s[i] === '[') {
      const end = parseElement(s, i + 1, sd);
      if (end < 0) return null;
      i = end;
    }
    out.structuredData = sd;
  } else return null;
  const msg = s[i] === ' ' ? s.slice(i + 1) : s.slice(i);
  out.message = msg.startsWith('\uFEFF') ? msg.slice(1) : msg;
  return out;
}

/** Parses `id param="value" ...]` from `i`; returns the index after `]`, or -1. */
function parseElement(s: string, i: number, sd: Record<string, Record<string, string>>): number {
  let j = i;
  while (j < s.length && s[j] !== ' ' && s[j] !== ']') j++;
  const params: Record<string, string> = {};
  sd[s.slice(i, j)] = params;
  while (s[j] === ' ') {
    const eq = s.indexOf('="', j + 1);
    if (eq < 0) return -1;
    const name = s.slice(j + 1, eq);
    let k = eq + 2;
    let value = '';
    while (k < s.length && s[k] !== '"') {
      if (s[k] === '\\' && (s[k + 1] === '"' || s[k + 1] === '\\' || s[k + 1] === ']')) k++;
      value += s[k++];
    }
    if (s[k] !== '"') return -1;
    params[name] = value;
    j = k + 1;
  }
  return s[j] === ']' ? j + 1 : -1;
}

function parse3164(s: string, nowMs: number): Omit<SyslogMessage, 'facility' | 'severity'> {
  const out: Omit<SyslogMessage, 'facility' | 'severity'> = { message: '' };
  let rest = s;
  const t = RFC3164_TIME.exec(rest);
  const month = t ? MONTHS.indexOf(t[1]) : -1;
  if (t && month >= 0) {
    const year = new Date(nowMs).getUTCFullYear();
    const ms = Date.UTC(year, month, Number(t[2].trim()), Number(t[3]), Number(t[4]), Number(t[5]));
    out.timestamp = t[0].slice(0, -1).replace(/  +/, ' ');
    out.timeNs = (BigInt(ms) * 1_000_000n).toString();
    rest = rest.slice(t[0].length);
    const host = /^(\S+) /.exec(rest);
    if (host && !host[1].endsWith(':')) {
      out.hostname = host[1];
      rest = rest.slice(host[0].length);
    }
  }
  const tag = /^([^\s:[\]]{1,48})(?:\[([^\]]*)\])?: ?/.exec(rest);
  if (tag) {
    out.appName = tag[1];
    if (tag[2] !== undefined) out.procId = tag[2];
    rest = rest.slice(tag[0].length);
  }
  out.message = rest;
  return out;
}
