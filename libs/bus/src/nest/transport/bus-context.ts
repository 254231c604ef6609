import { BaseRpcContext } from '@nestjs/microservices';
import { type ConsumedMessage } from '../../bus';

/** What a bus handler learns besides its payload, through `@Ctx()`. */
export class BusContext<Meta = unknown> extends BaseRpcContext<
  [
    subject: string,
    headers: Record<string, string>,
    meta: Meta | undefined,
    message: ConsumedMessage | undefined,
  ]
> {
  /** The concrete subject the request or event arrived on (a wildcard pattern's match). */
  get subject(): string {
    return this.args[0];
  }

  /** NATS headers of the request or message. */
  get headers(): Record<string, string> {
    return this.args[1];
  }

  /** The JSON metadata of a binary request (`Strata-Meta`); undefined for JSON requests and events. */
  get meta(): Meta | undefined {
    return this.args[2];
  }

  /** The JetStream message of an event handler, to settle it by hand (ack, nak with a delay, term). */
  get message(): ConsumedMessage | undefined {
    return this.args[3];
  }
}
