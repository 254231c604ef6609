import { type JsMsg } from '@nats-io/jetstream';

/** How long what a stopped consumer received waits for the durable's next consumer. */
const HAND_BACK_WAIT_MS = 5_000;

/** One durable consumer as the server made it: deleted and made again, it is another. */
export interface DurableIdentity {
  stream: string;
  name: string;
  /** When the server created it (`ConsumerInfo.created`). */
  created: string;
}

interface Left {
  messages: JsMsg[];
  timer: NodeJS.Timeout;
}

/**
 * Messages a stopped consumer received and never started, kept for the next consumer of the same
 * durable on this connection, which runs them before anything it pulls (they are still pending
 * for the durable, so its ack settles them). Handing them back with a nak instead is not enough
 * on nats-server 2.9: a redelivery the server picks while no pull request is open is dropped
 * from its redelivery queue and stays pending until the ack wait, during which an ordered
 * consumer of the durable (max_ack_pending 1) gets nothing at all. What no consumer takes within
 * a few seconds, or when the connection drains, is handed back to the server.
 */
export class HandBacks {
  private readonly left = new Map<string, Left>();

  constructor(private readonly waitMs = HAND_BACK_WAIT_MS) {}

  /** Keeps `messages` for the durable's next consumer. */
  leave(durable: DurableIdentity, messages: readonly JsMsg[]): void {
    if (messages.length === 0) return;
    const earlier = this.take(durable);
    const timer = setTimeout(() => nak(this.take(durable)), this.waitMs);
    timer.unref();
    this.left.set(keyOf(durable), { messages: [...earlier, ...messages], timer });
  }

  /** What the durable's last consumers left, in stream order; none when nothing was left. */
  take(durable: DurableIdentity): JsMsg[] {
    const key = keyOf(durable);
    const left = this.left.get(key);
    if (!left) return [];
    this.left.delete(key);
    clearTimeout(left.timer);
    return left.messages.sort((a, b) => a.seq - b.seq);
  }

  /** Hands everything still kept back to the server. */
  release(): void {
    for (const { messages, timer } of this.left.values()) {
      clearTimeout(timer);
      nak(messages);
    }
    this.left.clear();
  }
}

function keyOf({ stream, name, created }: DurableIdentity): string {
  return JSON.stringify([stream, name, created]);
}

function nak(messages: readonly JsMsg[]): void {
  for (const m of messages) {
    try {
      m.nak();
    } catch {
      // The connection closed: the server redelivers it after the ack wait.
    }
  }
}
