import { type LogRecord } from '@strata/contracts';
import { LogInputError } from '../errors';
import { checkLine, decodeUtf8, type LineRules, nsOrDefault } from '../records';
import { parseLabelString } from './label-string';
import { decodePushRequest } from './loki-proto';

/** Records of a Loki push in protobuf (already snappy-expanded); the first bad entry refuses the whole push. */
export function parseLokiProtobuf(bytes: Uint8Array, rules: LineRules, nowNs: string): LogRecord[] {
  let request;
  try {
    request = decodePushRequest(bytes);
  } catch (cause) {
    throw new LogInputError(
      'malformed',
      '',
      `not a logproto.PushRequest: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const records: LogRecord[] = [];
  request.streams.forEach((stream, s) => {
    const labels = parseLabelString(
      decodeUtf8(stream.labels, `streams[${s}].labels`),
      `streams[${s}].labels`,
    );
    stream.entries.forEach((entry, e) => {
      const where = `streams[${s}].entries[${e}]`;
      const line = decodeUtf8(entry.line, where);
      checkLine(line, rules, where);
      const fields: Record<string, unknown> = {};
      for (const pair of entry.structuredMetadata)
        fields[decodeUtf8(pair.name, where)] = decodeUtf8(pair.value, where);
      const ts = entry.timestamp;
      const ns = ts ? BigInt(ts.seconds) * 1_000_000_000n + BigInt(ts.nanos) : 0n;
      if (ns < 0n) throw new LogInputError('malformed', where, 'timestamp before 1970');
      records.push({
        timestampNs: nsOrDefault(ns.toString(), nowNs),
        line,
        labels: { ...labels },
        fields,
      });
    });
  });
  return records;
}

/** Records of a Loki push in JSON (`{"streams":[{"stream":{...},"values":[["<ns>","<line>"(, {...})]]}]}`). */
export function parseLokiJson(text: string, rules: LineRules, nowNs: string): LogRecord[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new LogInputError('malformed', '', `body is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const streams = (body as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams))
    throw new LogInputError('malformed', '', 'expected {"streams": [...]}');
  const records: LogRecord[] = [];
  streams.forEach((stream: unknown, s) => {
    const where = `streams[${s}]`;
    const { stream: labels, values } = (stream ?? {}) as { stream?: unknown; values?: unknown };
    const labelMap = stringMap(labels, `${where}.stream`);
    if (Object.keys(labelMap).length === 0)
      throw new LogInputError(
        'malformed',
        `${where}.stream`,
        'at least one label pair is required per stream',
      );
    if (!Array.isArray(values))
      throw new LogInputError('malformed', `${where}.values`, 'expected an array');
    values.forEach((value: unknown, v) => {
      const at = `${where}.values[${v}]`;
      if (!Array.isArray(value) || value.length < 2 || value.length > 3)
        throw new LogInputError('malformed', at, 'expected ["<unix ns>", "<line>"(, {metadata})]');
      const [ts, line, metadata] = value as unknown[];
      if (typeof ts !== 'string' || !/^\d{1,20}$/.test(ts))
        throw new LogInputError(
          'malformed',
          at,
          'the timestamp must be a string of unix nanoseconds',
        );
      if (typeof line !== 'string')
        throw new LogInputError('malformed', at, 'the line must be a string');
      checkLine(line, rules, at);
      const fields = metadata === undefined ? {} : stringMap(metadata, `${at}[2]`);
      records.push({ timestampNs: nsOrDefault(ts, nowNs), line, labels: { ...labelMap }, fields });
    });
  });
  return records;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LogInputError('malformed', where, 'expected an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new LogInputError('malformed', `${where}.${k}`, 'expected a string');
    out[k] = v;
  }
  return out;
}
