import { type Decider } from '../src/domain/decider';

/** Given/when/then for deciders: `given(events).when(command).then(events)` or `.thenThrows(code)`. */
export function deciderSpec<C, E, S>(decider: Decider<C, E, S>) {
  return (given: E[]) => ({
    when: (command: C) => {
      const run = () =>
        decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenThrows: (code: string) => {
          let error: unknown = null;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toMatchObject({ code });
        },
      };
    },
  });
}
