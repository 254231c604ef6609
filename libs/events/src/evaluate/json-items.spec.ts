import { auditCorpus } from '@strata/testing';
import { arrayElementTexts } from './json-items';

/** Each element's text must parse to the element `JSON.parse` read from the whole body. */
function agrees(body: string, key = 'items'): void {
  const texts = arrayElementTexts(body, key);
  const parsed = (JSON.parse(body) as Record<string, unknown>)[key];
  expect(texts?.map((t) => JSON.parse(t) as unknown)).toEqual(parsed);
}

describe('the texts of the elements of a top-level array', () => {
  const items = auditCorpus(50, 1_700_000_000_000);
  const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items };

  it('are each element exactly as written in a compact body', () => {
    const body = JSON.stringify(list);
    expect(arrayElementTexts(body, 'items')).toEqual(items.map((i) => JSON.stringify(i)));
  });

  it('keep whitespace inside an element and trim it around, in indented bodies', () => {
    const body = JSON.stringify(list, null, '\t').replace(/\n/g, '\r\n');
    const texts = arrayElementTexts(body, 'items');
    expect(texts?.[0]).toMatch(/^\{\r\n/);
    expect(texts?.[0]).toMatch(/\}$/);
    agrees(body);
  });

  it('skip brackets, commas and escaped quotes inside strings, and keys elsewhere', () => {
    const tricky = { s: 'a "quoted" ], [ }{ \\" , \\\\', items: ['items', { items: [1] }] };
    agrees(
      `{"kind":"items","a":{"items":[9,9]},"items" : [ ${JSON.stringify(tricky)} ,"x\\\\",[[]], 1.5e3 , null,true ],"z":"]"}`,
    );
  });

  it('read the last of duplicate keys and keys written with escapes, as JSON.parse does', () => {
    agrees('{"items":[1,2],"other":[3],"\\u0069tems":[{"a":4}]}');
    agrees('{"items":[1,2],"items":[]}');
    agrees('{"items":[ ]}');
  });

  it('are undefined when the member is absent or not an array', () => {
    expect(arrayElementTexts('{"kind":"EventList"}', 'items')).toBeUndefined();
    expect(arrayElementTexts('{"items":{"a":[1]}}', 'items')).toBeUndefined();
    expect(arrayElementTexts('{"a":{"items":[1]}}', 'items')).toBeUndefined();
  });
});
