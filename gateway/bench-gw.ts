import { createGateway } from '@mathnet/gateway';
import { createLogger, listen } from '@mathnet/kit';

const verifier = {
  async verify(t: string) {
    if (t !== 'tok') throw new Error('x');
    return { subject: 's', kind: 'person' as const, roles: [] };
  },
};
const gw = createGateway({
  logger: createLogger('bench', process.env.LL ?? 'info'),
  upstreams: { registry: 'http://127.0.0.1:19001' },
  verifier,
  rateLimit: process.env.REDIS
    ? { redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'bench:' }
    : { store: 'memory' },
  corsOrigins: [],
  limits: { perClientPerMinute: 1e9, tokenPerIpPerMinute: 1e9, loginFailuresPer15Min: 1e9 },
});
await gw.start();
await listen(gw.app, 19002, '127.0.0.1');
setTimeout(() => process.exit(0), Number(process.env.EXIT_AFTER ?? 1e9));
