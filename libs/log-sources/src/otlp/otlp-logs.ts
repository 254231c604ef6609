import { type LogRecord } from '@strata/contracts';
import { LogInputError } from '../errors';
import { checkLine, decodeUtf8, type LineRules, nsOrDefault } from '../records';
import {
  decodeLogsRequest,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpLogsRequest,
} from './otlp-proto';

/** Records of an OTLP logs export, and the records refused one by one (OTLP's partial success). */
export interface OtlpLogsResult {
  records: LogRecord[];
  rejected: number;
  /** The first refusal, for `partial_success.error_message`. */
  firstError: string;
}

/** Parses a protobuf `ExportLogsServiceRequest`; malformed bytes refuse the whole export. */
export function parseOtlpProtobuf(
  bytes: Uint8Array,
  rules: LineRules,
  nowNs: string,
): OtlpLogsResult {
  let request: OtlpLogsRequest;
  try {
    request = decodeLogsRequest(bytes);
  } catch (cause) {
    throw new LogInputError(
      'malformed',
      '',
      `not an ExportLogsServiceRequest: ${(cause as Error).message}`,
      { cause },
    );
  }
  return toRecords(request, rules, nowNs);
}

/** Parses an OTLP/JSON `ExportLogsServiceRequest`; a body that is not one refuses the whole export. */
export function parseOtlpJson(text: string, rules: LineRules, nowNs: string): OtlpLogsResult {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (cause) {
    throw new LogInputError('malformed', '', `body is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw new LogInputError('malformed', '', 'expected an ExportLogsServiceRequest object');
  const resourceLogs = (request as OtlpLogsRequest).resourceLogs;
  if (resourceLogs !== undefined && !Array.isArray(resourceLogs))
    throw new LogInputError('malformed', 'resourceLogs', 'expected an array');
  return toRecords(request as OtlpLogsRequest, rules, nowNs);
}

/**
 * Resource attributes become labels (dots and other characters outside `[a-zA-Z0-9_]` turned to
 * `_`, as Loki's OTLP ingestion names them: `service.name` → `service_name`); the record's own
 * attributes, severity, trace context and scope become fields; the body is the line (a string
 * body as is, any other value as JSON). A record whose text is not UTF-8 or whose line passes
 * the cap is rejected alone.
 */
function toRecords(request: OtlpLogsRequest, rules: LineRules, nowNs: string): OtlpLogsResult {
  const records: LogRecord[] = [];
  let rejected = 0;
  let firstError = '';
  (request.resourceLogs ?? []).forEach((rl, r) => {
    const labels: Record<string, string> = {};
    for (const kv of shape(rl.resource?.attributes, `resourceLogs[${r}].resource.attributes`))
      labels[labelName(kv.key ?? '')] = stringOf(plain(kv.value, `resourceLogs[${r}].resource`));
    shape(rl.scopeLogs, `resourceLogs[${r}].scopeLogs`).forEach((sl, s) => {
      shape(sl.logRecords, `resourceLogs[${r}].scopeLogs[${s}].logRecords`).forEach((lr, l) => {
        const where = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]`;
        try {
          const fields: Record<string, unknown> = {};
          for (const kv of shape(lr.attributes, `${where}.attributes`))
            fields[kv.key ?? ''] = plain(kv.value, where);
          if (lr.severityText) fields.severity_text = lr.severityText;
          if (lr.severityNumber !== undefined && Number(lr.severityNumber) !== 0)
            fields.severity_number = Number(lr.severityNumber);
          const traceId = hex(lr.traceId);
          if (traceId) fields.trace_id = traceId;
          const spanId = hex(lr.spanId);
          if (spanId) fields.span_id = spanId;
          if (lr.eventName) fields.event_name = lr.eventName;
          if (sl.scope?.name) fields.scope_name = sl.scope.name;
          if (sl.scope?.version) fields.scope_version = sl.scope.version;
          const body = lr.body === undefined ? '' : plain(lr.body, `${where}.body`);
          const line = typeof body === 'string' ? body : JSON.stringify(body);
          checkLine(line, rules, where);
          const time = nanos(lr.timeUnixNano, where) || nanos(lr.observedTimeUnixNano, where);
          records.push({
            timestampNs: nsOrDefault(time, nowNs),
            line,
            labels: { ...labels },
            fields,
          });
        } catch (error) {
          if (!(error instanceof LogInputError) || error.reason === 'malformed') throw error;
          rejected++;
          firstError ||= error.message;
        }
      });
    });
  });
  return { records, rejected, firstError };
}

function shape<T>(value: T[] | undefined, where: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new LogInputError('malformed', where, 'expected an array');
  return value;
}

function labelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function nanos(value: string | number | undefined, where: string): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  if (!/^\d{1,20}$/.test(s))
    throw new LogInputError('malformed', where, `bad time ${JSON.stringify(value)}`);
  return s === '0' ? '' : s;
}

function hex(value: string | Uint8Array | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.toLowerCase();
  return Buffer.from(value).toString('hex');
}

/** An AnyValue as plain JSON: strings, numbers, booleans, arrays and objects. */
function plain(value: OtlpAnyValue | undefined, where: string): unknown {
  if (value === undefined || value === null) return null;
  if (value.stringValue !== undefined)
    return typeof value.stringValue === 'string'
      ? value.stringValue
      : decodeUtf8(value.stringValue, where);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined)
    return shape(value.arrayValue.values, where).map((v) => plain(v, where));
  if (value.kvlistValue !== undefined) {
    const out: Record<string, unknown> = {};
    for (const kv of shape<OtlpKeyValue>(value.kvlistValue.values, where))
      out[kv.key ?? ''] = plain(kv.value, where);
    return out;
  }
  if (value.bytesValue !== undefined)
    return typeof value.bytesValue === 'string'
      ? value.bytesValue
      : Buffer.from(value.bytesValue).toString('base64');
  return null;
}
