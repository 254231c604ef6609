import { type PostableAlert } from '@strata/alertmanager';
import { AlertGroupCommit } from './alert-group-commit';

/** A publish the spec finishes by hand, recording what each call carried. */
function manualPublish() {
  const calls: Array<{
    tenantId: string;
    names: string[];
    texts: string[] | null;
    finish(error?: Error): void;
  }> = [];
  const publish = (tenantId: string, alerts: PostableAlert[], texts: string[] | null) =>
    new Promise<void>((resolve, reject) =>
      calls.push({
        tenantId,
        names: alerts.map((a) => a.labels.alertname),
        texts,
        finish: (error) => (error ? reject(error) : resolve()),
      }),
    );
  return { calls, publish };
}

const post = (...names: string[]): PostableAlert[] =>
  names.map((alertname) => ({ labels: { alertname } }));

/** Records when each promise settles, so the spec sees what is still waiting. */
function track(p: Promise<void>): { state: 'waiting' | 'stored' | 'failed' } {
  const t = { state: 'waiting' as 'waiting' | 'stored' | 'failed' };
  p.then(
    () => (t.state = 'stored'),
    () => (t.state = 'failed'),
  );
  return t;
}

const settle = () => new Promise((r) => setImmediate(r));

describe('AlertGroupCommit', () => {
  it('stores a post alone at once, and the posts that came meanwhile together, in order, after it', async () => {
    const { calls, publish } = manualPublish();
    const commit = new AlertGroupCommit(publish);
    const first = track(commit.store('a', post('a1', 'a2')));
    expect(calls.map((c) => c.names)).toEqual([['a1', 'a2']]);
    const second = track(commit.store('a', post('b1')));
    const third = track(commit.store('a', post('c1', 'c2')));
    await settle();
    // Nothing more is published while the first store is under way.
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await settle();
    expect(first.state).toBe('stored');
    expect([second.state, third.state]).toEqual(['waiting', 'waiting']);
    expect(calls.map((c) => c.names)).toEqual([
      ['a1', 'a2'],
      ['b1', 'c1', 'c2'],
    ]);
    calls[1].finish();
    await settle();
    expect([second.state, third.state]).toEqual(['stored', 'stored']);
  });

  it('fails exactly the posts of a failed publish; later posts are stored', async () => {
    const { calls, publish } = manualPublish();
    const commit = new AlertGroupCommit(publish);
    const first = track(commit.store('a', post('a1')));
    const second = track(commit.store('a', post('b1')));
    calls[0].finish();
    await settle();
    const third = track(commit.store('a', post('c1')));
    calls[1].finish(new Error('JetStream is away'));
    await settle();
    expect([first.state, second.state, third.state]).toEqual(['stored', 'failed', 'waiting']);
    expect(calls.map((c) => c.names)).toEqual([['a1'], ['b1'], ['c1']]);
    calls[2].finish();
    await settle();
    expect(third.state).toBe('stored');
  });

  it('keeps a window of stores under way, in arrival order, and gathers what comes while it is full', async () => {
    const { calls, publish } = manualPublish();
    const commit = new AlertGroupCommit(publish, 2);
    const first = track(commit.store('a', post('a1')));
    const second = track(commit.store('a', post('b1')));
    // Both under way at once: the second does not wait for the first's acknowledgement.
    expect(calls.map((c) => c.names)).toEqual([['a1'], ['b1']]);
    const third = track(commit.store('a', post('c1')));
    const fourth = track(commit.store('a', post('d1', 'd2')));
    await settle();
    expect(calls).toHaveLength(2);
    // The second's acknowledgement may come first; it settles only its own post.
    calls[1].finish();
    await settle();
    expect([first.state, second.state, third.state]).toEqual(['waiting', 'stored', 'waiting']);
    expect(calls.map((c) => c.names)).toEqual([['a1'], ['b1'], ['c1', 'd1', 'd2']]);
    calls[0].finish(new Error('JetStream is away'));
    calls[2].finish();
    await settle();
    expect([first.state, third.state, fourth.state]).toEqual(['failed', 'stored', 'stored']);
    // The window is free again: the next post is published at once.
    track(commit.store('a', post('e1')));
    expect(calls.map((c) => c.names).at(-1)).toEqual(['e1']);
  });

  it('hands on the posts’ texts when every post stored together came with its text', async () => {
    const { calls, publish } = manualPublish();
    const commit = new AlertGroupCommit(publish);
    const text = (...names: string[]) => JSON.stringify(post(...names));
    track(commit.store('a', post('a1'), text('a1')));
    track(commit.store('a', post('b1'), text('b1')));
    track(commit.store('a', post('c1', 'c2'), text('c1', 'c2')));
    calls[0].finish();
    await settle();
    track(commit.store('a', post('d1'), text('d1')));
    track(commit.store('a', post('e1')));
    calls[1].finish();
    await settle();
    expect(calls.map((c) => c.texts)).toEqual([[text('a1')], [text('b1'), text('c1', 'c2')], null]);
    expect(calls[2].names).toEqual(['d1', 'e1']);
  });

  it('never makes one tenant wait for another', async () => {
    const { calls, publish } = manualPublish();
    const commit = new AlertGroupCommit(publish);
    track(commit.store('a', post('a1')));
    const b = track(commit.store('b', post('b1')));
    expect(calls.map((c) => [c.tenantId, c.names])).toEqual([
      ['a', ['a1']],
      ['b', ['b1']],
    ]);
    calls[1].finish();
    await settle();
    expect(b.state).toBe('stored');
  });
});
