import { coreEventFromEventsV1, flattenKubeEvent } from './flatten';
import { TypedSlice, goFormatFloat, goParseFloat, goSprint } from './go-values';
import { formatPercentTemplate } from './templates';

describe('Go printing of flattened values', () => {
  test.each([
    [20, '20'],
    [0.5, '0.5'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-3.25, '-3.25'],
    [Infinity, '+Inf'],
  ])('float64 %p prints %s', (f, text) => {
    expect(goFormatFloat(f)).toBe(text);
  });

  test('nil, arrays, maps (sorted keys) and typed slices print as fmt.Sprint does', () => {
    expect(goSprint(null)).toBe('<nil>');
    expect(goSprint(['a', 1, true])).toBe('[a 1 true]');
    expect(goSprint({ b: '2', a: 1 })).toBe('map[a:1 b:2]');
    expect(goSprint(new TypedSlice(['x', 'y']))).toBe('[x y]');
  });

  test('ParseFloat accepts what Go accepts', () => {
    expect(goParseFloat('1e+06')).toBe(1e6);
    expect(goParseFloat('-Inf')).toBe(-Infinity);
    expect(goParseFloat('.5')).toBe(0.5);
    expect(goParseFloat('0x10')).toBeNull();
    expect(goParseFloat('')).toBeNull();
    expect(goParseFloat('1_000')).toBeNull();
  });
});

describe('kube-events flattening', () => {
  const flat = flattenKubeEvent({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: 'e1', namespace: 'shop', labels: { a: 'b' } },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
    reason: 'Failed',
    count: 2,
    firstTimestamp: '2024-01-01T00:00:00Z',
  });

  test('every field of the Go type is there with its zero value; timestamps and unset pointers are not', () => {
    expect(flat.get('TypeMeta.kind')).toBe('Event');
    expect(flat.get('metadata.generateName')).toBe('');
    expect(flat.get('metadata.generation')).toBe(0);
    expect(flat.get('metadata.labels')).toEqual({ a: 'b' });
    expect(flat.get('metadata.annotations')).toEqual({});
    expect(flat.get('involvedObject.fieldPath')).toBe('');
    expect(flat.get('source.component')).toBe('');
    expect(flat.get('count')).toBe(2);
    expect(flat.has('firstTimestamp')).toBe(false);
    expect(flat.has('series.count')).toBe(false);
    expect(flat.has('related.kind')).toBe(false);
  });

  test('%field templates print fields as Go does; a lone % vanishes', () => {
    expect(
      formatPercentTemplate('%involvedObject.name failed %count times (100%), %nope', flat),
    ).toBe('web-1 failed 2 times (100), <nil>');
  });

  test('events.k8s.io/v1 converts to core/v1 field for field', () => {
    expect(
      coreEventFromEventsV1({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'e2', namespace: 'shop' },
        regarding: { kind: 'Pod', name: 'web-2' },
        note: 'Back-off',
        reason: 'BackOff',
        type: 'Warning',
        deprecatedCount: 7,
        reportingController: 'kubelet',
        eventTime: '2024-01-01T00:00:00.000000Z',
      }),
    ).toEqual({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name: 'e2', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'web-2' },
      reason: 'BackOff',
      message: 'Back-off',
      source: {},
      count: 7,
      type: 'Warning',
      action: '',
      reportingComponent: 'kubelet',
      reportingInstance: '',
      eventTime: '2024-01-01T00:00:00.000000Z',
    });
  });
});
