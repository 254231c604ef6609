import { Labels } from '../storage/labels';
import { MemoryQueryable } from '../storage/memory-queryable';
import { Engine } from './engine';
import { toApiResponse } from './json';

describe('toApiResponse', () => {
  const q = new MemoryQueryable();
  q.append(Labels.fromRecord({ __name__: 'up', job: 'a' }), 1500, 1);
  q.append(Labels.fromRecord({ __name__: 'up', job: 'a' }), 61500, 0);
  const engine = new Engine();

  it('writes vectors with string values and float seconds', async () => {
    expect(toApiResponse(await engine.instantQuery(q, 'up / 0', 1500))).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [1.5, '+Inf'] }] },
    });
  });

  it('writes matrices, scalars and infos', async () => {
    expect(toApiResponse(await engine.rangeQuery(q, 'up', 1500, 61500, 60000)).data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'up', job: 'a' },
          values: [
            [1.5, '1'],
            [61.5, '0'],
          ],
        },
      ],
    });
    expect(toApiResponse(await engine.instantQuery(q, '1e21', 0)).data).toEqual({
      resultType: 'scalar',
      result: [0, '1000000000000000000000'],
    });
    expect(toApiResponse(await engine.instantQuery(q, 'rate(up[2m])', 61500)).infos).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up"',
    ]);
  });
});
