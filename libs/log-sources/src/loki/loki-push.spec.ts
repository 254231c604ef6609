import { LogInputError } from '../errors';
import { parseLabelString } from './label-string';
import { parseLokiJson } from './loki-push';

const rules = { maxLineBytes: 16 };

describe('Loki push parsing', () => {
  it('reads label strings with Go escapes', () => {
    expect(parseLabelString('{job="a\\"b", env = "x\\\\y",}', 'l')).toEqual({
      job: 'a"b',
      env: 'x\\y',
    });
  });

  it.each(['{}', 'job="a"', '{job=a}', '{1x="a"}', '{job="a"'])(
    'refuses the label string %s',
    (text) => {
      expect(() => parseLabelString(text, 'l')).toThrow(LogInputError);
    },
  );

  it('names the bad entry of a JSON push and refuses lines past the cap', () => {
    const ok = {
      streams: [
        {
          stream: { a: 'b' },
          values: [
            ['0', 'zero time'],
            ['17', 'x', { k: 'v' }],
          ],
        },
      ],
    };
    expect(parseLokiJson(JSON.stringify(ok), rules, '99')).toEqual([
      { timestampNs: '99', line: 'zero time', labels: { a: 'b' }, fields: {} },
      { timestampNs: '17', line: 'x', labels: { a: 'b' }, fields: { k: 'v' } },
    ]);
    const long = { streams: [{ stream: { a: 'b' }, values: [['1', 'y'.repeat(17)]] }] };
    expect(() => parseLokiJson(JSON.stringify(long), rules, '1')).toThrow(
      expect.objectContaining({ reason: 'line_too_long', where: 'streams[0].values[0]' }) as Error,
    );
    const numeric = { streams: [{ stream: { a: 'b' }, values: [[1, 'x']] }] };
    expect(() => parseLokiJson(JSON.stringify(numeric), rules, '1')).toThrow(/unix nanoseconds/);
  });
});
