import net from 'node:net';

export interface TcpProxy {
  /** The local port to connect to instead of the target's. Stable across close/reopen. */
  readonly port: number;
  /** A URL like `target` but pointing at the proxy (`redis://…`, `postgres://…`). */
  url(target: string): string;
  /** Simulates an outage: stops listening and cuts every open connection. */
  close(): Promise<void>;
  /** Ends the outage: listens again on the same port. */
  reopen(): Promise<void>;
}

/** A TCP forwarder to `targetHost:targetPort`, for tests that take PostgreSQL or Redis away. */
export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    url(target) {
      const u = new URL(target);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    close() {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
    },
    reopen: () => (server ? Promise.resolve() : listen()),
  };
}
