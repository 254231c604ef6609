// Variants A and B: each write stored once as the body it came in (one message, no re-encoding),
// the decoded series applied after the ack in the stream's order.
import { type Bus } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { type LabelInjection, decodeHttpWrite } from '@strata/remote-write';
import { type Applier } from './appliers';
import { type IncomingWrite, OPTIONS, type WritePath, replaySubjects } from './write-path';

// The body as sent goes to one subject of the ingest stream; a real build would give it a subject
// and headers of its own in contracts (the tenant and protocol it was decoded with).
const SUBJECT = Subjects.ingestSamples(0);
const TENANT_HEADER = 'Strata-Tenant';
const CONTENT_TYPE_HEADER = 'Strata-Content-Type';

/** Stores each write's body and applies its decoded series through `applier`. */
export function bodyPath(
  bus: Bus,
  applier: Applier,
  injection: (tenant: string) => LabelInjection,
): WritePath {
  const bootId = `${process.pid}-${Date.now()}`;
  let writes = 0;
  const decode = (body: Uint8Array, tenant: string, contentType: string | null) =>
    decodeHttpWrite(body, { contentType, contentEncoding: 'snappy' }, OPTIONS, injection(tenant))
      .batch;
  return {
    replay: () =>
      replaySubjects(bus, [SUBJECT], (seq, _, data, headers) =>
        applier.apply(
          seq,
          decode(data, headers[TENANT_HEADER], headers[CONTENT_TYPE_HEADER] || null),
        ),
      ),
    async write(w: IncomingWrite) {
      const { batch } = decodeHttpWrite(
        w.body,
        { contentType: w.contentType, contentEncoding: w.contentEncoding },
        OPTIONS,
        injection(w.tenant),
      );
      const ack = await bus.publish(SUBJECT, w.body, {
        msgId: `${bootId}-${writes++}`,
        headers: { [TENANT_HEADER]: w.tenant, [CONTENT_TYPE_HEADER]: w.contentType ?? '' },
      });
      await applier.apply(ack.seq, batch);
    },
    counts: () => applier.counts(),
    workerTid: applier.workerTid,
    close: () => applier.close(),
  };
}
