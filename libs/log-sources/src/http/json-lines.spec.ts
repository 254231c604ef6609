import { parseJsonLines } from './json-lines';

const rules = { maxLineBytes: 32 };
const NOW = 1_000;

describe('parseJsonLines', () => {
  it('reads NDJSON, an array or one object, with every timestamp form', () => {
    const ndjson = [
      '{"line":"a","timestamp":"2024-01-01T00:00:00.25Z","labels":{"app":"x"},"fields":{"f":1},"extra":true}',
      '',
      '{"message":"b","timestamp":1500}',
      '{"msg":"c","timestamp":"1700000000000000007"}',
    ].join('\n');
    expect(parseJsonLines(ndjson, rules, NOW)).toEqual([
      {
        timestampNs: '1704067200250000000',
        line: 'a',
        labels: { app: 'x' },
        fields: { extra: true, f: 1 },
      },
      { timestampNs: '1500000000', line: 'b', labels: {}, fields: {} },
      { timestampNs: '1700000000000000007', line: 'c', labels: {}, fields: {} },
    ]);
    expect(parseJsonLines('[{"line":"x"}]', rules, NOW)).toEqual([
      { timestampNs: '1000000000', line: 'x', labels: {}, fields: {} },
    ]);
    expect(parseJsonLines('{"line":"one"}', rules, NOW)).toHaveLength(1);
  });

  it.each([
    ['{"line":"ok"}\n{"line":', /line 2: not JSON/],
    ['{"nope":"x"}', /needs a string "line"/],
    ['{"line":"x","labels":{"bad-name":"v"}}', /label names/],
    ['{"line":"x","timestamp":"yesterday"}', /RFC 3339/],
    [`{"line":"${'l'.repeat(33)}"}`, /exceeds the limit of 32/],
    ['{"line":"\\ud800"}', /lone surrogate/],
  ])('refuses %s naming the entry', (body, message) => {
    expect(() => parseJsonLines(body, rules, NOW)).toThrow(message);
  });
});
