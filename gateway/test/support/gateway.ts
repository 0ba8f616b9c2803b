import { createLogger, listen, type RunningServer } from '@mathnet/kit';
import { createGateway, type GatewayDeps } from '../../src/index';
import { testVerifier } from './upstream';

/** A gateway listening on port 0. */
export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

/** What a test gateway listens with: the fast-path listener (as main.ts does) or the bare express app. */
export type ListenVia = 'handler' | 'app';

const defaultLimits: GatewayDeps['limits'] = {
  perClientPerMinute: 10_000,
  tokenPerIpPerMinute: 10_000,
  loginFailuresPer15Min: 10_000,
};

/** Starts a gateway in front of `upstreams`, with generous limits unless `overrides` says otherwise. */
export async function startGateway(
  upstreams: Record<string, string>,
  overrides: Partial<Omit<GatewayDeps, 'limits'>> & { limits?: Partial<GatewayDeps['limits']> } = {},
  via: ListenVia = 'handler',
): Promise<RunningGateway> {
  const gateway = createGateway({
    logger: createLogger('gateway-test', process.env.LOG_LEVEL ?? 'silent'),
    verifier: testVerifier,
    rateLimit: { store: 'memory' },
    corsOrigins: [],
    processMetrics: false,
    ...overrides,
    upstreams,
    limits: { ...defaultLimits, ...overrides.limits },
  });
  await gateway.start();
  const server: RunningServer = await listen(via === 'app' ? gateway.app : gateway.handler, 0, '127.0.0.1');
  return {
    url: server.url,
    close: async () => {
      server.server.closeAllConnections();
      await server.close();
      await gateway.close();
    },
  };
}

/** Reads a problem+json answer, checking its media type. */
export async function problemOf(
  response: Response,
): Promise<{ type: string; status: number; detail: string }> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${type}: ${await response.text()}`);
  }
  return (await response.json()) as { type: string; status: number; detail: string };
}
