import { Matcher } from '../index/matchers';
import { ExemplarStorage, OutOfOrderExemplarError, type StoredExemplar } from './exemplar-storage';

const api = ['__name__', 'http_seconds_bucket', 'job', 'api', 'le', '0.5'];
const db = ['__name__', 'db_seconds_bucket', 'job', 'db', 'le', '1'];

function ex(timestamp: number, value = 1, trace = `t${timestamp}`): StoredExemplar {
  return { labels: [{ name: 'trace_id', value: trace }], value, timestamp };
}

const all = [[new Matcher('=~', '__name__', '.+')]];
const times = (storage: ExemplarStorage) =>
  storage.select(-Infinity, Infinity, all).map((s) => s.exemplars.map((e) => e.timestamp));

describe('ExemplarStorage', () => {
  it('answers a series’ exemplars in time order, series sorted by labels, within the time range', () => {
    const storage = new ExemplarStorage(10);
    storage.add(api, ex(10));
    storage.add(db, ex(15));
    storage.add(api, ex(20));
    storage.add(api, ex(30));
    const found = storage.select(-Infinity, Infinity, all);
    expect(found.map((s) => s.seriesLabels.find((l) => l.name === 'job')?.value)).toEqual([
      'db',
      'api',
    ]);
    expect(found[1].exemplars).toEqual([ex(10), ex(20), ex(30)]);
    expect(storage.select(15, 20, all).map((s) => s.exemplars.map((e) => e.timestamp))).toEqual([
      [15],
      [20],
    ]);
    expect(storage.select(31, 40, all)).toEqual([]);
  });

  it('selects the series matching every matcher of any one set', () => {
    const storage = new ExemplarStorage(10);
    storage.add(api, ex(10));
    storage.add(db, ex(11));
    const jobs = (sets: Matcher[][]) =>
      storage.select(0, 100, sets).map((s) => s.seriesLabels.find((l) => l.name === 'job')?.value);
    expect(jobs([[new Matcher('=', 'job', 'api'), new Matcher('=', 'le', '1')]])).toEqual([]);
    expect(jobs([[new Matcher('=', 'job', 'api')], [new Matcher('=', 'le', '1')]])).toEqual([
      'db',
      'api',
    ]);
    expect(jobs([[new Matcher('=', 'missing', '')]])).toEqual(['db', 'api']);
  });

  it('ignores an exact repeat of the newest exemplar and refuses one that is not newer', () => {
    const storage = new ExemplarStorage(10);
    expect(storage.add(api, ex(10, 2))).toBe(true);
    expect(storage.add(api, ex(10, 2))).toBe(false);
    expect(() => storage.add(api, ex(10, 3))).toThrow(OutOfOrderExemplarError);
    expect(() => storage.add(api, ex(5))).toThrow(
      expect.objectContaining({ code: 'out_of_order_exemplar' }),
    );
    // NaN never equals itself, so a repeated NaN exemplar counts as out of order, as in Prometheus.
    storage.add(api, ex(20, NaN));
    expect(() => storage.add(api, ex(20, NaN))).toThrow(OutOfOrderExemplarError);
    expect(storage.size).toBe(2);
    expect(times(storage)).toEqual([[10, 20]]);
  });

  it('overwrites the oldest exemplars first once full, and forgets a series whose last one went', () => {
    const storage = new ExemplarStorage(3);
    storage.add(db, ex(1));
    storage.add(api, ex(2));
    storage.add(api, ex(3));
    storage.add(api, ex(4));
    expect(storage.size).toBe(3);
    expect(times(storage)).toEqual([[2, 3, 4]]);
    storage.add(db, ex(5));
    storage.add(db, ex(6));
    expect(times(storage)).toEqual([[5, 6], [4]]);
    // The series lost its older exemplars, so an exemplar between them and the newest is still out of order.
    expect(() => storage.add(api, ex(3))).toThrow(OutOfOrderExemplarError);
  });

  it('keeps working when one series fills the whole ring', () => {
    const storage = new ExemplarStorage(1);
    storage.add(api, ex(1));
    storage.add(api, ex(2));
    storage.add(db, ex(3));
    expect(times(storage)).toEqual([[3]]);
  });

  it('stores nothing with no capacity', () => {
    const storage = new ExemplarStorage(0);
    expect(storage.add(api, ex(1))).toBe(false);
    expect(storage.select(0, 10, all)).toEqual([]);
  });

  it('lists its exemplars oldest first, so adding them in that order rebuilds it', () => {
    const storage = new ExemplarStorage(4);
    for (let t = 1; t <= 6; t++) storage.add(t % 2 ? api : db, ex(t));
    const copy = new ExemplarStorage(4);
    for (const e of storage.entries()) copy.add(e.pairs, e.exemplar);
    expect([...storage.entries()].map((e) => e.exemplar.timestamp)).toEqual([3, 4, 5, 6]);
    expect(copy.select(0, 10, all)).toEqual(storage.select(0, 10, all));
  });
});
