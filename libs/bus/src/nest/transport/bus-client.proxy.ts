import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { defer, type Observable } from 'rxjs';
import { type Bus, type PublishAck, type RequestOptions } from '../../bus';

/**
 * Nest's `ClientProxy` over the bus: `send(subject, payload)` is a request answered by one
 * `@MessagePattern` handler (an error reply errors the observable with its `StrataError`),
 * `emit(subject, payload)` a JetStream publish for `@EventPattern` consumers.
 */
export class BusClientProxy extends ClientProxy {
  constructor(private readonly bus: Bus) {
    super();
  }

  connect(): Promise<Bus> {
    return Promise.resolve(this.bus);
  }

  /** The connection belongs to the process, which drains it; nothing to close here. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  /** `send` with a timeout and headers of its own. */
  sendWith<Res>(subject: string, payload: unknown, options?: RequestOptions): Observable<Res> {
    return defer(() => this.bus.request<unknown, Res>(subject, payload, options));
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    this.bus.request(packet.pattern as string, packet.data).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected dispatchEvent<T = PublishAck>(packet: ReadPacket): Promise<T> {
    return this.bus.publish(packet.pattern as string, packet.data as object) as Promise<T>;
  }
}
