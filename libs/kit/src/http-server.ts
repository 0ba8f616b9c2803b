import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server and how to stop it. */
export interface RunningServer {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>` (or the host it listens on). */
  url: string;
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) and resolves when the server accepts connections. */
export async function listen(
  handler: RequestListener,
  port: number,
  host = '0.0.0.0',
): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish, then are cut.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}
