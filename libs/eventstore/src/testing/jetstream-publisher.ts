import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { type Bus, type PublishAck } from '@strata/bus';

/** A stand-in for `Bus.publish` straight on @nats-io/jetstream, for specs and the benchmark. */
export interface JetStreamPublisher extends Pick<Bus, 'publish'> {
  nc: NatsConnection;
  js: JetStreamClient;
  ensureStream(name: string, subjects: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Connects to `url`, reconnecting forever, and publishes JSON with a message id. */
export async function connectJetStreamPublisher(url: string): Promise<JetStreamPublisher> {
  const nc: NatsConnection = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const js = jetstream(nc, { timeout: 2000 });
  return {
    nc,
    js,
    async publish(subject, data, options): Promise<PublishAck> {
      const payload = data instanceof Uint8Array ? data : new TextEncoder().encode(JSON.stringify(data));
      const h = natsHeaders();
      for (const [k, v] of Object.entries(options?.headers ?? {})) h.set(k, v);
      const ack = await js.publish(subject, payload, { msgID: options?.msgId, headers: h });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    },
    async ensureStream(name, subjects) {
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(name);
      } catch {
        await jsm.streams.add({ name, subjects, duplicate_window: 120_000_000_000 });
      }
    },
    async close() {
      await nc.drain().catch(() => undefined);
    },
  };
}
