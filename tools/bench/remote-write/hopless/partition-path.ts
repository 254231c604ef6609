// Variant C: the router's write path as it is (per-partition ingest messages, encoded, snappy,
// group-committed), with the ingester's own `PartitionHead`s applying each part in-process once
// its stream message is acknowledged, instead of reading it back from a consumer.
import { type Bus } from '@strata/bus';
import { PartitionHead } from '@strata/ingester';
import { IngestMessageView, type LabelInjection, ingestMessagesOf } from '@strata/remote-write';
import { PartitionBatcher, prepareWrite } from '@strata/router';
import { type Head } from '@strata/tsdb';
import { countHeads } from './heads';
import {
  type IncomingWrite,
  OPTIONS,
  type WritePath,
  partitionSubjects,
  replaySubjects,
} from './write-path';

// As the router's defaults: a message below max_payload, up to 64 parts per group commit.
const MAX_MESSAGE_BYTES = 1024 * 1024 - 64 * 1024;
const MAX_PARTS = 64;

/** The router's messages, applied by the partitions' heads after each part's ack. */
export function partitionPath(
  bus: Bus,
  partitions: number,
  injection: (tenant: string) => LabelInjection,
): WritePath {
  const heads = Array.from({ length: partitions }, (_, p) => new PartitionHead(p));
  const batcher = new PartitionBatcher(bus, MAX_MESSAGE_BYTES, MAX_PARTS);
  const subjects = partitionSubjects(partitions);
  const bootId = `${process.pid}-${Date.now()}`;
  let writes = 0;
  let refused = 0;
  const append = (partition: number, data: Uint8Array) => {
    const stats = heads[partition].append(IngestMessageView.read(data));
    for (const byReason of stats.rejected?.values() ?? [])
      for (const n of byReason.values()) refused += n;
  };
  return {
    replay: () =>
      replaySubjects(bus, subjects, (_, subject, data) => {
        for (const part of ingestMessagesOf(data)) append(subjects.indexOf(subject), part);
        return Promise.resolve();
      }),
    async write(w: IncomingWrite) {
      const prepared = prepareWrite(
        {
          tenantId: w.tenant,
          body: w.body,
          contentType: w.contentType,
          contentEncoding: w.contentEncoding,
          options: OPTIONS,
          partitions,
          maxMessageBytes: MAX_MESSAGE_BYTES,
          window: { from: -Infinity, until: Infinity },
          settings: { outOfOrderWindowMs: 0 },
        },
        injection(w.tenant),
      );
      const id = `${bootId}-${writes++}`;
      // A partition's publishes are acknowledged one after another in stream order (one in
      // flight per partition), so applying each part when its own publish settles keeps that order.
      await Promise.all(
        prepared.messages.map((m) =>
          batcher
            .publish(m.partition, m.data, `${id}.${m.partition}.${m.index}`)
            .then(() => append(m.partition, m.data)),
        ),
      );
    },
    counts() {
      const all: Head[] = [];
      for (const h of heads) for (const t of h.tenants()) all.push(h.tenantHead(t) as Head);
      return Promise.resolve(countHeads(all, refused));
    },
    workerTid: Promise.resolve(null),
    close: () => Promise.resolve(),
  };
}
