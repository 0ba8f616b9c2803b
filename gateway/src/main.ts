import { createJwksVerifier } from '@mathnet/auth';
import { createLogger, Lifecycle, listen } from '@mathnet/kit';
import { loadGatewayConfigOrExit, upstreamsOf } from './config';
import { createGateway } from './gateway';

// Composition root of the distributed mode: config → logger → verifier → gateway → listen; SIGTERM closes all.
// A bad environment prints what is wrong with each variable and exits 78 (EX_CONFIG), like every service.
const config = loadGatewayConfigOrExit();
const logger = createLogger('gateway', config.LOG_LEVEL);
const lifecycle = new Lifecycle(logger);
lifecycle.handleSignals();

try {
  const gateway = lifecycle.add(
    'gateway',
    createGateway({
      logger,
      upstreams: upstreamsOf(config),
      verifier: createJwksVerifier({
        jwksUrl: `${config.REGISTRY_URL.replace(/\/+$/, '')}/.well-known/jwks.json`,
      }),
      rateLimit: config.REDIS_URL === 'memory://' ? { store: 'memory' } : { redisUrl: config.REDIS_URL },
      corsOrigins: config.CORS_ORIGINS,
      trustProxy: config.TRUST_PROXY,
      limits: {
        perClientPerMinute: config.RATE_LIMIT_PER_MINUTE,
        tokenPerIpPerMinute: config.TOKEN_RATE_LIMIT_PER_MINUTE,
        loginFailuresPer15Min: config.LOGIN_FAILURES_PER_15_MIN,
        maxImportBytes: config.MAX_IMPORT_MB * 1024 * 1024,
      },
    }),
  );
  await gateway.start();
  const server = lifecycle.add('http server', await listen(gateway.handler, config.PORT));
  logger.info({ url: server.url, upstreams: Object.keys(upstreamsOf(config)) }, 'gateway listening');
} catch (error) {
  logger.fatal({ err: error }, 'gateway failed to start');
  await lifecycle.close();
  process.exit(1);
}
