import { type Bus } from '../src';

/** A bus that only reports its connection state; the unit specs talk to a fake control plane instead. */
export function fakeBus(connected = { value: true }): Bus {
  const unused = (): never => {
    throw new Error('the fake bus carries no messages');
  };
  return {
    request: unused,
    serve: unused,
    requestBinary: unused,
    serveBinary: unused,
    ensureStream: unused,
    publish: unused,
    consume: unused,
    requestAll: unused,
    follow: unused,
    lastSequence: unused,
    removeConsumers: unused,
    consumerBacklog: unused,
    consumerAckFloor: unused,
    maxPayload: 1024 * 1024,
    flush: async () => undefined,
    isConnected: () => connected.value,
    drain: async () => undefined,
  };
}
