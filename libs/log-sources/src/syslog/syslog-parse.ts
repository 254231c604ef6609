import { type LogRecord } from '@strata/contracts';
import { nsFromMs } from '../records';

const FACILITIES = [
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
];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC3164_TIME = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) /;

/**
 * One syslog message as a record: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or
 * RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`); text without a PRI is a whole line at
 * user.notice. Labels: `facility`, `severity`, `hostname`, `app_name` (those present); fields:
 * `procid`, `msgid`, and structured data as `sd` (`{id: {param: value}}`). RFC 3164 times carry no
 * year or zone: the current UTC year and UTC are assumed.
 */
export function parseSyslog(text: string, nowMs: number): LogRecord {
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri || Number(pri[1]) > 191)
    return record(nowMs, text, { facility: 'user', severity: 'notice' }, {});
  const code = Number(pri[1]);
  const labels: Record<string, string> = {
    facility: FACILITIES[code >> 3],
    severity: SEVERITIES[code & 7],
  };
  const rest = text.slice(pri[0].length);
  if (rest.startsWith('1 '))
    return parse5424(rest.slice(2), labels, nowMs) ?? record(nowMs, rest, labels, {});
  return parse3164(rest, labels, nowMs);
}

function record(
  ms: number | string,
  line: string,
  labels: Record<string, string>,
  fields: Record<string, unknown>,
): LogRecord {
  return { timestampNs: typeof ms === 'string' ? ms : nsFromMs(ms), line, labels, fields };
}

function parse5424(s: string, labels: Record<string, string>, nowMs: number): LogRecord | null {
  const parts: string[] = [];
  let i = 0;
  for (let n = 0; n < 5; n++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return null;
    parts.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [timestamp, hostname, appName, procId, msgId] = parts;
  const fields: Record<string, unknown> = {};
  if (hostname !== '-') labels.hostname = hostname;
  if (appName !== '-') labels.app_name = appName;
  if (procId !== '-') fields.procid = procId;
  if (msgId !== '-') fields.msgid = msgId;
  let ns = nsFromMs(nowMs);
  if (timestamp !== '-') {
    const parsed = rfc3339Ns(timestamp);
    if (parsed === null) return null;
    ns = parsed;
  }
  if (s[i] === '-') i++;
  else if (s[i] === '[') {
    const sd: Record<string, Record<string, string>> = {};
    while (s[i] === '[') {
      const end = parseElement(s, i + 1, sd);
      if (end < 0) return null;
      i = end;
    }
    fields.sd = sd;
  } else return null;
  let msg = s[i] === ' ' ? s.slice(i + 1) : s.slice(i);
  if (msg.startsWith('\uFEFF')) msg = msg.slice(1);
  return record(ns, msg, labels, fields);
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

/** An RFC 3339 time with any number of fraction digits, as epoch nanoseconds, or null. */
function rfc3339Ns(text: string): string | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return (BigInt(seconds) * 1_000_000n + fraction).toString();
}

function parse3164(s: string, labels: Record<string, string>, nowMs: number): LogRecord {
  const fields: Record<string, unknown> = {};
  let rest = s;
  let ms = nowMs;
  const t = RFC3164_TIME.exec(rest);
  if (t) {
    const month = MONTHS.indexOf(t[1]);
    if (month >= 0) {
      const year = new Date(nowMs).getUTCFullYear();
      ms = Date.UTC(year, month, Number(t[2].trim()), Number(t[3]), Number(t[4]), Number(t[5]));
      rest = rest.slice(t[0].length);
      const host = /^(\S+) /.exec(rest);
      if (host && !host[1].endsWith(':')) {
        labels.hostname = host[1];
        rest = rest.slice(host[0].length);
      }
    }
  }
  const tag = /^([^\s:[\]]{1,48})(?:\[([^\]]*)\])?: ?/.exec(rest);
  if (tag) {
    labels.app_name = tag[1];
    if (tag[2] !== undefined) fields.procid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  return record(ms, rest, labels, fields);
}
