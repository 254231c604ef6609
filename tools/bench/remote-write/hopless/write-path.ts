import { type Bus } from '@strata/bus';
import { Subjects, ingestStreamSpec } from '@strata/contracts';
import { type HeadCounts } from './heads';

/** A remote write as the prototype's HTTP route hands it over, already past the tenant check. */
export interface IncomingWrite {
  readonly tenant: string;
  readonly body: Buffer;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
}

/** How a variant stores a write in JetStream and gets it into the heads. */
export interface WritePath {
  /** Replays what the stream holds into the (fresh) heads; before any write. */
  replay(): Promise<{ writes: number; seconds: number }>;
  /** Resolves once the write is stored in JetStream and in the heads; throws RemoteWriteError on bad input. */
  write(w: IncomingWrite): Promise<void>;
  counts(): Promise<HeadCounts>;
  /** The Linux thread id of the thread that appends, when not the main one. */
  readonly workerTid: Promise<number | null>;
  close(): Promise<void>;
}

/** The ingest stream as the product provisions it. */
export const STREAM = ingestStreamSpec({ maxAgeSeconds: 3600, maxBytes: 4 * 1024 ** 3 });

/** Validation limits the prototype decodes with. */
export const OPTIONS = { maxSeriesPerRequest: 100_000 };

/** Replays every message `subjects` hold in the stream, in order, ending at the last one. */
export async function replaySubjects(
  bus: Bus,
  subjects: readonly string[],
  apply: (
    seq: number,
    subject: string,
    data: Uint8Array,
    headers: Record<string, string>,
  ) => Promise<void>,
): Promise<{ writes: number; seconds: number }> {
  let last = 0;
  for (const s of subjects) last = Math.max(last, await bus.lastSequence(STREAM.name, s));
  if (last === 0) return { writes: 0, seconds: 0 };
  const started = process.hrtime.bigint();
  let writes = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  const consumer = await bus.consume(
    {
      stream: STREAM.name,
      durableName: `replay-${process.pid}`,
      // Several filter subjects need nats-server 2.10 (Debian has older); the stream holds only these.
      ...(subjects.length === 1 ? { filterSubjects: [...subjects] } : {}),
    },
    async (m) => {
      await apply(m.seq, m.subject, m.data, m.headers);
      writes++;
      m.ack();
      if (m.seq >= last) finished();
    },
    { ordered: true },
  );
  await done;
  await consumer.stop();
  return { writes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Subject of every partition, in partition order. */
export function partitionSubjects(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, p) => Subjects.ingestSamples(p));
}
