import {
  type BinaryRequestContracts,
  type BinaryRequestSubject,
  type RequestOf,
  type RequestSubject,
  type ResponseOf,
} from '@strata/contracts';
import { firstValueFrom } from 'rxjs';
import { type Bus, type RequestOptions } from '../../bus';
import { BusClientProxy } from './bus-client.proxy';

/**
 * The caller's side of the bus, typed by the contracts' subject map over `BusClientProxy`:
 * `client.ask(subject, payload)` only compiles with that subject's payload and resolves to its
 * reply; an error reply rejects with the `StrataError` the handler's filter produced.
 */
export class BusClient {
  private readonly proxy: BusClientProxy;

  constructor(private readonly bus: Bus) {
    this.proxy = new BusClientProxy(bus);
  }

  /** Sends a JSON request and resolves to its reply. */
  ask<S extends RequestSubject>(
    subject: S,
    payload: RequestOf<S>,
    options?: RequestOptions,
  ): Promise<ResponseOf<S>> {
    return firstValueFrom(this.proxy.sendWith<ResponseOf<S>>(subject, payload, options));
  }

  /** Sends bytes with the subject's JSON metadata beside them and resolves to its reply. */
  askBinary<S extends BinaryRequestSubject>(
    subject: S,
    payload: Uint8Array,
    meta: BinaryRequestContracts[S]['meta'],
    options?: RequestOptions,
  ): Promise<BinaryRequestContracts[S]['response']> {
    return this.bus.requestBinary(subject, payload, { ...options, meta });
  }
}
