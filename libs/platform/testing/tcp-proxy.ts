// A loopback TCP proxy that can lose what the server sends, as a network does when a connection
// breaks with messages in flight.
import { type Server, Socket, createServer } from 'node:net';

/** A proxy in front of one TCP server. */
export interface TcpProxy {
  /** `nats://127.0.0.1:<port>` style address of the proxy, with the given scheme. */
  url(scheme: string): string;
  /** From now on, bytes from the server to the clients are discarded (the clients see nothing). */
  blackhole(): void;
  /** Breaks every open connection and forwards normally again; clients reconnect through it. */
  cut(): void;
  /** Bytes the clients sent to the server through the proxy so far. */
  bytesToServer(): number;
  /** Bytes the server sent to the clients through the proxy so far (dropped ones included). */
  bytesToClients(): number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `port` on loopback. */
export async function startTcpProxy(port: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let dropping = false;
  let toServer = 0;
  let toClients = 0;
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(port, '127.0.0.1');
    open.add(client).add(upstream);
    // Each side waits for the other to drain, so the counts are what the other side took in,
    // not what the proxy buffered ahead of it.
    client.on('data', (d) => {
      toServer += d.length;
      if (!upstream.write(d)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.on('data', (d) => {
      toClients += d.length;
      if (!dropping && !client.write(d)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${address.port}`,
    blackhole: () => {
      dropping = true;
    },
    bytesToServer: () => toServer,
    bytesToClients: () => toClients,
    cut: () => {
      for (const s of open) s.destroy();
      open.clear();
      dropping = false;
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
