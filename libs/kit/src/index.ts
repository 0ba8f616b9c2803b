export { ConfigError, env, loadConfig, loadConfigOrExit } from './config';
export * from './errors';
export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './http-app';
export { listen, type RunningServer } from './http-server';
export { type Closable, Lifecycle } from './lifecycle';
export { createLogger, type Logger } from './logger';
export { buildOpenApiDocument, OpenAPIRegistry, problemResponses, problemSchema } from './openapi';
export { notFoundHandler, type Problem, problemHandler, sendProblem, toHttpError, toProblem } from './problem-handler';
export { issuesOf, parseInput } from './validate';
