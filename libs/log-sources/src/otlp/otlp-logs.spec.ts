import { parseOtlpJson } from './otlp-logs';

const rules = { maxLineBytes: 64 };

describe('parseOtlpJson', () => {
  it('maps resource attributes to labels and the rest to fields; a structured body becomes JSON', () => {
    const request = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'api' } },
              { key: 'k8s.pod.uid', value: { intValue: '7' } },
            ],
          },
          scopeLogs: [
            {
              scope: { name: 'lib' },
              logRecords: [
                {
                  timeUnixNano: '1700000000000000001',
                  severityNumber: 17,
                  severityText: 'ERROR',
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  body: {
                    kvlistValue: {
                      values: [
                        {
                          key: 'a',
                          value: {
                            arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] },
                          },
                        },
                      ],
                    },
                  },
                  attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
                },
                { observedTimeUnixNano: 5, body: { stringValue: 'w'.repeat(65) } },
                { body: { stringValue: 'no time' } },
              ],
            },
          ],
        },
      ],
    };
    const result = parseOtlpJson(JSON.stringify(request), rules, '42');
    expect(result.rejected).toBe(1);
    expect(result.firstError).toMatch(/exceeds the limit of 64/);
    expect(result.records).toEqual([
      {
        timestampNs: '1700000000000000001',
        line: '{"a":[true,1.5]}',
        labels: { service_name: 'api', k8s_pod_uid: '7' },
        fields: {
          big: '9007199254740993',
          severity_text: 'ERROR',
          severity_number: 17,
          trace_id: '5b8efff798038103d269b633813fc60c',
          scope_name: 'lib',
        },
      },
      {
        timestampNs: '42',
        line: 'no time',
        labels: { service_name: 'api', k8s_pod_uid: '7' },
        fields: { scope_name: 'lib' },
      },
    ]);
  });

  it('refuses a body whose shape is not an export request', () => {
    expect(() => parseOtlpJson('{"resourceLogs":{}}', rules, '1')).toThrow(/expected an array/);
    expect(() => parseOtlpJson('[]', rules, '1')).toThrow(/ExportLogsServiceRequest/);
    expect(() =>
      parseOtlpJson(
        JSON.stringify({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'soon' }] }] }],
        }),
        rules,
        '1',
      ),
    ).toThrow(/bad time/);
  });
});
