import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type Bus, type ReplyEnvelope } from '@strata/bus';
import { StrataError } from '@strata/contracts';

/** Enough of the Bus over real NATS for the control plane's specs, until libs/bus lands. */
export async function connectTestBus(url: string): Promise<Bus & { nc: NatsConnection }> {
  const nc: NatsConnection = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const js = jetstream(nc, { timeout: 2000 });
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return {
    nc,
    async request<Req, Res>(subject: string, payload: Req, options?: { timeoutMs?: number }): Promise<Res> {
      const msg = await nc.request(subject, enc(payload), { timeout: options?.timeoutMs ?? 10_000 });
      const reply = msg.json<ReplyEnvelope<Res>>();
      if (reply.error) throw StrataError.fromBody(reply.error);
      return reply.ok as Res;
    },
    serve(subject, queueGroup, handler) {
      const sub = nc.subscribe(subject, {
        queue: queueGroup ?? undefined,
        callback: (_err, msg) => {
          void (async () => {
            let reply: ReplyEnvelope<unknown>;
            try {
              reply = { ok: await handler(msg.json(), { subject: msg.subject, headers: {} }) };
            } catch (e) {
              reply = { error: e instanceof StrataError ? e.toBody() : { code: 'internal', message: String(e) } };
            }
            msg.respond(enc(reply));
          })();
        },
      });
      return { stop: async () => sub.unsubscribe() };
    },
    async ensureStream(spec) {
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(spec.name);
      } catch {
        await jsm.streams.add({ name: spec.name, subjects: spec.subjects, duplicate_window: (spec.duplicateWindowMs ?? 120_000) * 1_000_000 });
      }
    },
    async publish(subject, data, options) {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(options?.headers ?? {})) h.set(k, v);
      const ack = await js.publish(subject, data instanceof Uint8Array ? data : enc(data), { msgID: options?.msgId, headers: h });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    },
    consume() {
      return Promise.reject(new Error('not part of the test bus'));
    },
    isConnected: () => !nc.isClosed(),
    drain: () => nc.drain(),
  };
}
