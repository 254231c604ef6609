import { type ControlPlaneSnapshot } from '@strata/contracts';
import { type EventStore, type ReadBound } from '@strata/eventstore';
import {
  controlPlaneFold,
  toSnapshot,
  type ControlPlaneViews,
  type StoredControlEvent,
} from './domain/views';

/** The whole control plane as of a position or an instant, folded from the log alone. */
export async function replayControlPlane(
  store: EventStore,
  bound: ReadBound,
): Promise<ControlPlaneSnapshot> {
  const { state, position, recordedAt } = await store.replay<ControlPlaneViews>(
    {
      initialState: controlPlaneFold.initialState,
      evolve: (views, e) => controlPlaneFold.evolve(views, e as unknown as StoredControlEvent),
    },
    bound,
  );
  return toSnapshot(state, position, 'at' in bound ? new Date(bound.at).toISOString() : recordedAt);
}
