import { type CompiledPath, compilePath, getPath, withPath } from '../record-path';
import { recordTransform, type Transform } from './transform';

/** Syslog severities by number (RFC 5424 §6.2.1). */
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** A syslog message as fields: header parts, structured data, and the message text. */
export interface SyslogFields {
  facility: number;
  severity: string;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  timestamp?: string;
  structured_data?: Record<string, Record<string, string>>;
  message: string;
}

/**
 * The parser `parse_syslog` uses: any function from a line to fields, or null when it is not
 * syslog. The sources' syslog listener has a parser of its own; one of the two should serve both.
 */
export type SyslogParser = (line: string) => SyslogFields | null;

const nil = (v: string) => (v === '-' ? undefined : v);

function structuredData(text: string): { sd: SyslogFields['structured_data']; rest: string } {
  if (text.startsWith('- ') || text === '-') return { sd: undefined, rest: text.slice(2) };
  const sd: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const close = findClose(text, i);
    if (close < 0) return { sd: undefined, rest: text };
    const body = text.slice(i + 1, close);
    const space = body.indexOf(' ');
    const id = space < 0 ? body : body.slice(0, space);
    const params: Record<string, string> = {};
    const re = /(\S+?)="((?:[^"\\]|\\.)*)"/g;
    for (const m of (space < 0 ? '' : body.slice(space + 1)).matchAll(re))
      params[m[1]] = m[2].replace(/\\(["\\\]])/g, '$1');
    sd[id] = params;
    i = close + 1;
  }
  return { sd, rest: text.slice(i).replace(/^ /, '') };
}

function findClose(text: string, from: number): number {
  let quoted = false;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ']' && !quoted) return i;
  }
  return -1;
}

/** RFC 5424, then RFC 3164 (BSD) with its `TAG[PID]:`; null for anything else. */
export const parseSyslogLine: SyslogParser = (line) => {
  const pri = /^<(\d{1,3})>/.exec(line);
  if (!pri || Number(pri[1]) > 191) return null;
  const value = Number(pri[1]);
  const base = { facility: value >> 3, severity: SEVERITIES[value & 7] };
  const rest = line.slice(pri[0].length);
  const v5424 = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(rest);
  if (v5424) {
    const { sd, rest: msg } = structuredData(rest.slice(v5424[0].length));
    return {
      ...base,
      timestamp: nil(v5424[1]),
      hostname: nil(v5424[2]),
      appname: nil(v5424[3]),
      procid: nil(v5424[4]),
      msgid: nil(v5424[5]),
      ...(sd ? { structured_data: sd } : {}),
      message: msg.replace(/^\uFEFF/, ''),
    };
  }
  const bsd =
    /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) ([^:[\s]+)(?:\[([^\]]+)\])?: ?/.exec(
      rest,
    );
  if (bsd && MONTHS.includes(bsd[1]))
    return {
      ...base,
      timestamp: `${bsd[1]} ${bsd[2]} ${bsd[3]}`,
      hostname: bsd[4],
      appname: bsd[5],
      ...(bsd[6] ? { procid: bsd[6] } : {}),
      message: rest.slice(bsd[0].length),
    };
  return { ...base, message: rest };
};

/** `parse_syslog`: header fields and structured data into fields, the message as the line. */
export function parseSyslogTransform(
  options: { field?: string; target?: string; drop_invalid?: boolean },
  parse: SyslogParser = parseSyslogLine,
): Transform {
  const from = compilePath(options.field ?? 'line');
  const target: CompiledPath | null = options.target ? compilePath(options.target) : null;
  return recordTransform((record) => {
    const text = getPath(record, from);
    const parsed = typeof text === 'string' ? parse(text) : null;
    if (parsed === null) return options.drop_invalid ? null : record;
    const { message, ...fields } = parsed;
    const withFields = target
      ? withPath(record, target, fields)
      : { ...record, fields: { ...record.fields, ...fields } };
    return { ...withFields, line: message };
  });
}
