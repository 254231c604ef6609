import { type CompiledPath, compilePath, getPath, withPath } from '../record-path';
import { parseSyslogMessage, SYSLOG_SEVERITIES } from '../syslog/syslog-message';
import { recordTransform, type Transform } from './transform';

/** A syslog message as `parse_syslog` writes it into fields: header parts and structured data. */
export interface SyslogFields {
  facility: number;
  severity: string;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  timestamp?: string;
  structured_data?: Record<string, Record<string, string>>;
}

/** The fields of one syslog text and its message, or null when it has no PRI (not syslog). */
export function syslogFields(
  text: string,
  nowMs: number,
): { fields: SyslogFields; message: string } | null {
  const m = parseSyslogMessage(text, nowMs);
  if (m === null) return null;
  const fields: SyslogFields = { facility: m.facility, severity: SYSLOG_SEVERITIES[m.severity] };
  if (m.timestamp !== undefined) fields.timestamp = m.timestamp;
  if (m.hostname !== undefined) fields.hostname = m.hostname;
  if (m.appName !== undefined) fields.appname = m.appName;
  if (m.procId !== undefined) fields.procid = m.procId;
  if (m.msgId !== undefined) fields.msgid = m.msgId;
  if (m.structuredData !== undefined) fields.structured_data = m.structuredData;
  return { fields, message: m.message };
}

/** `parse_syslog`: header fields and structured data into fields, the message as the line. */
export function parseSyslogTransform(options: {
  field?: string;
  target?: string;
  drop_invalid?: boolean;
}): Transform {
  const from = compilePath(options.field ?? 'line');
  const target: CompiledPath | null = options.target ? compilePath(options.target) : null;
  return recordTransform((record) => {
    const text = getPath(record, from);
    const parsed = typeof text === 'string' ? syslogFields(text, Date.now()) : null;
    if (parsed === null) return options.drop_invalid ? null : record;
    const withFields = target
      ? withPath(record, target, parsed.fields)
      : { ...record, fields: { ...record.fields, ...parsed.fields } };
    return { ...withFields, line: parsed.message };
  });
}
