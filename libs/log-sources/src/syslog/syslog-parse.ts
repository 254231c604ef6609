import { type LogRecord } from '@strata/contracts';
import { parseSyslogMessage, SYSLOG_FACILITIES, SYSLOG_SEVERITIES } from '@strata/logpipeline';
import { nsFromMs } from '../records';

/**
 * One syslog message as a record, through the one syslog parser (`@strata/logpipeline`); text
 * without a PRI is a whole line at user.notice. Labels: `facility`, `severity`, `hostname`,
 * `app_name` (those present); fields: `procid`, `msgid`, and structured data as `sd`
 * (`{id: {param: value}}`). The header's time is the record's, else the receive time.
 */
export function parseSyslog(text: string, nowMs: number): LogRecord {
  const m = parseSyslogMessage(text, nowMs);
  if (m === null)
    return {
      timestampNs: nsFromMs(nowMs),
      line: text,
      labels: { facility: 'user', severity: 'notice' },
      fields: {},
    };
  const labels: Record<string, string> = {
    facility: SYSLOG_FACILITIES[m.facility],
    severity: SYSLOG_SEVERITIES[m.severity],
  };
  if (m.hostname !== undefined) labels.hostname = m.hostname;
  if (m.appName !== undefined) labels.app_name = m.appName;
  const fields: Record<string, unknown> = {};
  if (m.procId !== undefined) fields.procid = m.procId;
  if (m.msgId !== undefined) fields.msgid = m.msgId;
  if (m.structuredData !== undefined) fields.sd = m.structuredData;
  return { timestampNs: m.timeNs ?? nsFromMs(nowMs), line: m.message, labels, fields };
}
