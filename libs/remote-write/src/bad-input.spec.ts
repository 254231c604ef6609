import { Compressor, compressSync } from 'snappy';
import { checkContentEncoding, parseContentType } from './content-type';
import { decodeWriteRequest } from './decode';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '../testing/encode';
import { type RemoteWriteErrorCode, RemoteWriteError, UnsupportedMediaTypeError } from './errors';
import { rng } from '../testing/generate';
import { V1Decode, V2Decode, V2Encode } from '../testing/proto';
import { type ProtocolVersion, type WriteBatch, type WriteSeries } from './types';
import { type ValidationOptions } from './validate';

function codeOf(fn: () => unknown): RemoteWriteErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (e) {
    if (e instanceof RemoteWriteError) return e.code;
    throw e;
  }
}

const decode =
  (body: Uint8Array, v: ProtocolVersion = 'v1', o: ValidationOptions = {}) =>
  () =>
    decodeWriteRequest(body, v, o);

function series(labels: Record<string, string> | Array<[string, string]>, t = 1000): WriteSeries {
  const pairs = Array.isArray(labels) ? labels : Object.entries(labels);
  return {
    labels: pairs.map(([name, value]) => ({ name, value })),
    timestamps: Float64Array.from([t]),
    values: Float64Array.from([1]),
    exemplars: [],
  };
}
const batchOf = (...s: WriteSeries[]): WriteBatch => ({ series: s, metadata: [] });
const good = series({ __name__: 'up', job: 'a' });
const v1 = (...s: WriteSeries[]): Buffer => encodeWriteRequestV1(batchOf(...s));

describe('bad remote write bodies are refused with a specific code', () => {
  const valid = v1(good, good, good);

  it('truncated snappy', () => {
    expect(codeOf(decode(valid.subarray(0, valid.length - 5)))).toBe('invalid_snappy');
  });

  it('random bytes', () => {
    const rand = rng(3);
    const junk = Buffer.alloc(256);
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
    junk[0] = 0x40; // a plausible small length header so the snappy body itself is what fails
    expect(codeOf(decode(junk))).toBe('invalid_snappy');
  });

  it('snappy-compressed bytes that are not protobuf', () => {
    expect(codeOf(decode(compressSync(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))))).toBe(
      'invalid_protobuf',
    );
    expect(codeOf(decode(compressSync(Buffer.from([0x0f, 0x01]))))).toBe('invalid_protobuf');
  });

  it('framed snappy', async () => {
    const c = new Compressor();
    const framed = Buffer.concat([c.update(Buffer.from('hello')), await c.finish()]);
    const err = (() => {
      try {
        decodeWriteRequest(framed, 'v1');
      } catch (e) {
        return e as RemoteWriteError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('snappy_framed_format');
    expect(err?.message).toMatch(/framed/);
    expect(err?.httpStatus).toBe(415);
  });

  it('a decompressed size over the limit, before decompressing', () => {
    expect(codeOf(decode(valid, 'v1', { maxDecompressedBytes: 10 }))).toBe('request_too_large');
  });

  it('unsorted labels', () => {
    expect(
      codeOf(
        decode(
          v1(
            series([
              ['job', 'a'],
              ['__name__', 'up'],
            ]),
          ),
        ),
      ),
    ).toBe('labels_not_sorted');
  });

  it('duplicate labels', () => {
    expect(
      codeOf(
        decode(
          v1(
            series([
              ['__name__', 'up'],
              ['job', 'a'],
              ['job', 'b'],
            ]),
          ),
        ),
      ),
    ).toBe('duplicate_label_name');
  });

  it('empty or missing metric name', () => {
    expect(codeOf(decode(v1(series({ __name__: '', job: 'a' }))))).toBe('missing_metric_name');
    expect(codeOf(decode(v1(series({ job: 'a' }))))).toBe('missing_metric_name');
  });

  it('empty label name', () => {
    expect(
      codeOf(
        decode(
          v1(
            series([
              ['', 'x'],
              ['__name__', 'up'],
            ]),
          ),
        ),
      ),
    ).toBe('empty_label_name');
  });

  it('a 1 MiB label value', () => {
    const body = v1(good, series({ __name__: 'up', big: 'x'.repeat(1024 * 1024) }));
    const err = (() => {
      try {
        decodeWriteRequest(body, 'v1');
      } catch (e) {
        return e as RemoteWriteError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('label_value_too_long');
    expect(err?.message).toContain('series 1');
    expect(err?.message).toContain('"big"');
    expect(err!.message.length).toBeLessThan(1000);
  });

  it('label name length, label count and series count limits', () => {
    expect(
      codeOf(
        decode(v1(series({ __name__: 'up', ['n'.repeat(20)]: 'a' })), 'v1', {
          maxLabelNameLength: 10,
        }),
      ),
    ).toBe('label_name_too_long');
    expect(
      codeOf(
        decode(v1(series({ __name__: 'up', a: '1', b: '2' })), 'v1', { maxLabelsPerSeries: 2 }),
      ),
    ).toBe('too_many_labels');
    expect(codeOf(decode(v1(good, good, good), 'v1', { maxSeriesPerRequest: 2 }))).toBe(
      'too_many_series',
    );
  });

  it('legacy name validation refuses what UTF-8 mode accepts', () => {
    const body = v1(series({ __name__: 'http.requests', 'ünï.code': 'a' }));
    expect(codeOf(decode(body))).toBe('no error');
    expect(codeOf(decode(body, 'v1', { nameValidation: 'legacy' }))).toBe('invalid_label_name');
    expect(
      codeOf(decode(v1(series({ __name__: 'http.requests' })), 'v1', { nameValidation: 'legacy' })),
    ).toBe('invalid_metric_name');
  });

  it('invalid UTF-8 in a label value', () => {
    const raw = V1Decode.encode({
      timeseries: [
        {
          labels: [{ name: Buffer.from('__name__'), value: Buffer.from([0x61, 0xff, 0xfe]) }],
          samples: [{ value: 1, timestamp: 1 }],
        },
      ],
    }).finish();
    expect(codeOf(decode(compressSync(raw)))).toBe('invalid_utf8');
  });

  it('accepts a genuine U+FFFD character while refusing invalid bytes in 2.0 symbols', () => {
    const ok = decodeWriteRequest(v1(series({ __name__: 'up', v: 'a\uFFFDb' })), 'v1');
    expect(ok.series[0].labels[1].value).toBe('a\uFFFDb');
    const bad = compressSync(
      V2Decode.encode({
        symbols: [Buffer.alloc(0), Buffer.from('__name__'), Buffer.from([0xc3, 0x28])],
        timeseries: [{ labelsRefs: [1, 2], samples: [{ value: 1, timestamp: 1 }] }],
      }).finish(),
    );
    expect(codeOf(decode(bad, 'v2'))).toBe('invalid_utf8');
  });

  it('missing sample timestamps', () => {
    expect(codeOf(decode(v1(series({ __name__: 'up' }, 0))))).toBe('missing_timestamp');
    expect(
      codeOf(decode(v1(series({ __name__: 'up' }, 0)), 'v1', { rejectZeroTimestamps: false })),
    ).toBe('no error');
  });

  it('native histograms, in both protocols', () => {
    const h1 = V1Decode.encode({
      timeseries: [
        {
          labels: [{ name: Buffer.from('__name__'), value: Buffer.from('h') }],
          histograms: [{ countInt: 1, sum: 1, schema: 0, timestamp: 5 }],
        },
      ],
    }).finish();
    expect(codeOf(decode(compressSync(h1)))).toBe('native_histograms_unsupported');
    const h2 = V2Encode.encode({
      symbols: ['', '__name__', 'h'],
      timeseries: [{ labelsRefs: [1, 2], histograms: [{ countInt: 1, timestamp: 5 }] }],
    }).finish();
    expect(codeOf(decode(compressSync(h2), 'v2'))).toBe('native_histograms_unsupported');
  });

  it('exemplars with too much label text', () => {
    const s = {
      ...good,
      exemplars: [
        { labels: [{ name: 'trace_id', value: 'x'.repeat(200) }], value: 1, timestamp: 1 },
      ],
    };
    expect(codeOf(decode(v1(s)))).toBe('invalid_exemplar');
    expect(codeOf(decode(encodeWriteRequestV2(batchOf(s)), 'v2'))).toBe('invalid_exemplar');
  });

  it('leaves nothing partially accepted when only the last series is bad', () => {
    const body = v1(
      good,
      good,
      series([
        ['job', 'a'],
        ['__name__', 'up'],
      ]),
    );
    expect(codeOf(decode(body))).toBe('labels_not_sorted');
  });
});

describe('remote write 2.0 symbol tables', () => {
  const v2 = (msg: object): Buffer => compressSync(V2Encode.encode(msg).finish());

  it('out-of-range symbol refs', () => {
    const body = v2({
      symbols: ['', '__name__', 'up'],
      timeseries: [{ labelsRefs: [1, 7], samples: [{ value: 1, timestamp: 1 }] }],
    });
    expect(codeOf(decode(body, 'v2'))).toBe('symbol_ref_out_of_range');
    const md = v2({
      symbols: ['', '__name__', 'up'],
      timeseries: [
        {
          labelsRefs: [1, 2],
          samples: [{ value: 1, timestamp: 1 }],
          metadata: { type: 1, helpRef: 9 },
        },
      ],
    });
    expect(codeOf(decode(md, 'v2'))).toBe('symbol_ref_out_of_range');
  });

  it('symbols[0] must be empty', () => {
    const body = v2({
      symbols: ['x', '__name__', 'up'],
      timeseries: [{ labelsRefs: [1, 2], samples: [{ value: 1, timestamp: 1 }] }],
    });
    expect(codeOf(decode(body, 'v2'))).toBe('invalid_symbols_table');
  });

  it('odd-length label refs', () => {
    const body = v2({
      symbols: ['', '__name__', 'up'],
      timeseries: [{ labelsRefs: [1, 2, 1], samples: [{ value: 1, timestamp: 1 }] }],
    });
    expect(codeOf(decode(body, 'v2'))).toBe('odd_label_refs');
  });

  it('a 1.0 body sent as 2.0 decodes to nothing usable rather than garbage', () => {
    // Request reserves fields 1-3 so a WriteRequest parses as an empty 2.0 request.
    expect(decodeWriteRequest(v1(good), 'v2').series).toHaveLength(0);
  });

  it('encodes 2.0 requests that start with the empty symbol', () => {
    const raw = encodeWriteRequestV2(batchOf(good));
    expect(codeOf(decode(raw, 'v2'))).toBe('no error');
  });
});

describe('content negotiation', () => {
  it.each([
    ['application/x-protobuf', 'v1'],
    ['application/x-protobuf;proto=prometheus.WriteRequest', 'v1'],
    ['Application/X-Protobuf; proto="io.prometheus.write.v2.Request"', 'v2'],
    [undefined, 'v1'],
  ])('%s → %s', (header, want) => {
    expect(parseContentType(header)).toBe(want);
  });

  it.each([
    'application/json',
    'text/plain',
    'application/x-protobuf;proto=io.prometheus.write.v3.Request',
  ])('refuses %s with 415', (header) => {
    expect(codeOf(() => parseContentType(header))).toBe('unsupported_media_type');
    expect(() => parseContentType(header)).toThrow(UnsupportedMediaTypeError);
    expect(new RemoteWriteError('unsupported_media_type', '').httpStatus).toBe(415);
  });

  it('requires snappy encoding, tolerating its absence only for 1.0', () => {
    expect(codeOf(() => checkContentEncoding('snappy', 'v2'))).toBe('no error');
    expect(codeOf(() => checkContentEncoding(undefined, 'v1'))).toBe('no error');
    expect(codeOf(() => checkContentEncoding(undefined, 'v2'))).toBe(
      'unsupported_content_encoding',
    );
    expect(codeOf(() => checkContentEncoding('gzip', 'v1'))).toBe('unsupported_content_encoding');
  });
});
