import { parseBulk } from './bulk';

const rules = { maxLineBytes: 100 };

describe('parseBulk', () => {
  it('derives ids from the body so a retry stores the same documents, and keeps given ids', () => {
    const body =
      '{"index":{"_index":"a"}}\n{"message":"m","@timestamp":"2024-01-01T00:00:00.5Z","k":1}\n{"create":{"_id":"given"}}\n{"x":2}\n';
    const first = parseBulk(body, 'dflt', rules, 0, 'body-1');
    expect(parseBulk(body, 'dflt', rules, 0, 'body-1')).toEqual(first);
    expect(first[0]).toMatchObject({
      action: 'index',
      index: 'a',
      record: {
        line: 'm',
        timestampNs: '1704067200500000000',
        labels: { index: 'a' },
        fields: { '@timestamp': '2024-01-01T00:00:00.5Z', k: 1 },
      },
    });
    expect(first[1]).toMatchObject({
      action: 'create',
      index: 'dflt',
      id: 'given',
      record: { line: '{"x":2}' },
    });
  });

  it('fails bad items alone and refuses what cannot be split into items', () => {
    const items = parseBulk(
      `{"index":{}}\n{"message":"no index"}\n{"index":{"_index":"i"}}\n[1]\n{"update":{"_index":"i","_id":"u"}}\n{"doc":{}}\n{"index":{"_index":"i"}}\n{"message":"${'z'.repeat(101)}"}\n`,
      undefined,
      rules,
      0,
      'b',
    );
    expect(items.map((i) => ('error' in i ? i.error.status : 201))).toEqual([400, 400, 400, 413]);
    const notUtf8 = Buffer.concat([
      Buffer.from('{"index":{}}\n{"message":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"index":{}}\n{"message":"fine"}\n'),
    ]);
    expect(
      parseBulk(notUtf8, 'i', rules, 0, 'b').map((i) => ('error' in i ? i.error.status : 201)),
    ).toEqual([400, 201]);
    expect(() => parseBulk(Buffer.from([0x7b, 0xff, 0x0a]), 'i', rules, 0, 'b')).toThrow(/UTF-8/);
    expect(() => parseBulk('{"index":{}}\n{}', 'i', rules, 0, 'b')).toThrow(
      /terminated by a newline/,
    );
    expect(() => parseBulk('{"explode":{}}\n{}\n', 'i', rules, 0, 'b')).toThrow(/action/);
    expect(() => parseBulk('{"index":{}}\n', 'i', rules, 0, 'b')).toThrow(/no source line/);
  });
});
