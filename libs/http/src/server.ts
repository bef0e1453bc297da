import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Logger } from '@jab/logger';

export interface ServerOptions {
  port: number;
  host?: string;
  logger: Logger;
}

export interface RunningServer {
  server: Server;
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** Stop accepting, let in-flight requests finish, force-close at `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export async function startServer(app: RequestListener, { port, host, logger }: ServerOptions): Promise<RunningServer> {
  const server = createServer(app);
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;

  server.on('request', (_req, res: ServerResponse) => {
    // Keep-alive sockets would otherwise hold `server.close()` open until they time out.
    if (closing) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    res.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ port: bound }, 'listening');

  const close = (timeoutMs: number) =>
    (closing ??= new Promise<void>((resolve) => {
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const deadline = setTimeout(() => {
        logger.warn({ inFlight: inFlight.size }, 'shutdown deadline reached, closing open connections');
        server.closeAllConnections();
      }, timeoutMs);
      server.close(() => {
        clearTimeout(deadline);
        logger.info('server closed');
        resolve();
      });
      server.closeIdleConnections();
    }));

  return { server, port: bound, close };
}
