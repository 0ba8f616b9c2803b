export { ConfigError, env, loadConfig, loadConfigOrExit } from './config';
export { type DeadLetterSource, deadLetterRouter } from './dead-letter-router';
export * from './errors';
export { checkIfMatch, etagOf, setEtag } from './etag';
export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './http-app';
export { listen, type RunningServer } from './http-server';
export { idempotencyRequest } from './idempotency-request';
export { type Closable, Lifecycle } from './lifecycle';
export { createLogger, type Logger } from './logger';
export { buildOpenApiDocument, OpenAPIRegistry, problemResponses, problemSchema } from './openapi';
export { decodeCursor, encodeCursor, isUuid, pageOf, uuidParam } from './params';
export {
  notFoundHandler,
  type Problem,
  problemHandler,
  sendProblem,
  toHttpError,
  toProblem,
} from './problem-handler';
export { issuesOf, parseInput } from './validate';
