import { type Bus, type ConsumerSpec, type StreamSpec } from '../src';

/**
 * A view of a real bus in which every subject and stream name carries a prefix, so a spec's
 * gateway and control plane talk only to each other even when other specs serve the same
 * contract subjects on the same nats-server.
 */
export function prefixedBus(bus: Bus, prefix: string): Bus {
  const subject = (s: string): string => `${prefix}.${s}`;
  const stream = (name: string): string =>
    `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_${name}`;
  return {
    request: (s, payload, options) => bus.request(subject(s), payload, options),
    serve: (s, queueGroup, handler) => bus.serve(subject(s), queueGroup, handler),
    requestBinary: (s, payload, options) => bus.requestBinary(subject(s), payload, options),
    serveBinary: (s, queueGroup, handler) => bus.serveBinary(subject(s), queueGroup, handler),
    ensureStream: (spec: StreamSpec) =>
      bus.ensureStream({ ...spec, name: stream(spec.name), subjects: spec.subjects.map(subject) }),
    publish: (s, data, options) => bus.publish(subject(s), data, options),
    consume: (spec: ConsumerSpec, handler) =>
      bus.consume(
        { ...spec, stream: stream(spec.stream), filterSubjects: spec.filterSubjects?.map(subject) },
        (message) =>
          handler(
            Object.create(message, {
              subject: { value: message.subject.slice(prefix.length + 1) },
            }) as typeof message,
          ),
      ),
    requestAll: (s, payload, options) => bus.requestAll(subject(s), payload, options),
    follow: (name, onMessage, options) =>
      bus.follow(
        stream(name),
        (m) => onMessage({ ...m, subject: m.subject.slice(prefix.length + 1) }),
        options,
      ),
    lastSequence: (name, s) => bus.lastSequence(stream(name), subject(s)),
    removeConsumers: (name, matches) => bus.removeConsumers(stream(name), matches),
    consumerBacklog: (name, durable) => bus.consumerBacklog(stream(name), durable),
    consumerAckFloor: (name, durable) => bus.consumerAckFloor(stream(name), durable),
    get maxPayload() {
      return bus.maxPayload;
    },
    flush: () => bus.flush(),
    isConnected: () => bus.isConnected(),
    drain: () => bus.drain(),
  };
}
