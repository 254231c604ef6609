import { type StrataError } from '@strata/contracts';
import { hasScope } from './access-policy';
import { parseAuthorization } from './credentials';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseAuthorization', () => {
  it('reads Bearer and Basic, case-insensitively, keeping colons in Basic secrets', () => {
    expect(parseAuthorization('Bearer abc')).toEqual({
      scheme: 'bearer',
      user: null,
      secret: 'abc',
    });
    expect(parseAuthorization('bearer abc')).toEqual({
      scheme: 'bearer',
      user: null,
      secret: 'abc',
    });
    expect(parseAuthorization(`Basic ${b64('key_1:s:e:c')}`)).toEqual({
      scheme: 'basic',
      user: 'key_1',
      secret: 's:e:c',
    });
    expect(parseAuthorization(`Basic ${b64(':secret')}`)).toEqual({
      scheme: 'basic',
      user: '',
      secret: 'secret',
    });
  });

  it("reads Elasticsearch's ApiKey base64(id:key) as the key's secret", () => {
    expect(parseAuthorization(`ApiKey ${b64('filebeat:the-secret')}`)).toEqual({
      scheme: 'basic',
      user: 'filebeat',
      secret: 'the-secret',
    });
    expect(() => parseAuthorization(`ApiKey ${b64('nocolon')}`)).toThrow();
  });

  it('treats an absent header as no credentials and a malformed one as unauthorized', () => {
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('  ')).toBeNull();
    for (const header of [
      'Bearer',
      'Bearer a b',
      'Token abc',
      `Basic ${b64('nocolon')}`,
      `Basic ${b64('user:')}`,
    ]) {
      expect(() => parseAuthorization(header)).toThrow(
        expect.objectContaining({ code: 'unauthorized' }) as StrataError,
      );
    }
  });
});

describe('hasScope', () => {
  it('lets admin imply read, and nothing else imply anything', () => {
    expect(hasScope(['admin'], 'read')).toBe(true);
    expect(hasScope(['admin'], 'write')).toBe(false);
    expect(hasScope(['write'], 'read')).toBe(false);
    expect(hasScope(['read'], 'admin')).toBe(false);
    expect(hasScope(['read', 'write'], 'write')).toBe(true);
  });
});
