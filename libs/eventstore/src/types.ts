/** Who caused an event, on whose behalf, from where: stored with every event and covered by its hash. */
export interface EventMetadata {
  actor: string;
  actorKind: string;
  tenant: string | null;
  requestId: string;
  sourceAddress: string;
  /** The id of the message or event that caused this one. */
  causation?: string | null;
  /** The id shared by everything one user action set off. */
  correlation?: string | null;
}

/** An event to append: its type and JSON data. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** An event as stored, with its global position, stream version and chain hash. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  position: number;
  streamId: string;
  version: number;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** What the writer expects the stream's version to be: a number, no stream at all, or anything. */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** The outcome of an append: the stream's new version and the positions of the new events. */
export interface AppendResult {
  streamId: string;
  version: number;
  positions: number[];
}

/** Where a read or replay stops: a global position or an instant (both inclusive). */
export type ReadBound = { position: number } | { at: string | Date };
