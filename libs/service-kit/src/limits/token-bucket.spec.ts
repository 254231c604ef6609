import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst, then refills at the rate and names the wait', () => {
    let now = 0;
    const b = new TokenBuckets(() => now);
    expect(b.take('a', 100, 10, 100)).toEqual({ ok: true });
    expect(b.take('a', 20, 10, 100)).toEqual({ ok: false, retryAfterSeconds: 2 });
    expect(b.take('b', 50, 10, 100)).toEqual({ ok: true });
    now = 2000;
    expect(b.take('a', 20, 10, 100)).toEqual({ ok: true });
  });

  it('refuses everything at rate zero', () => {
    expect(new TokenBuckets().take('a', 1, 0, 100)).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});
