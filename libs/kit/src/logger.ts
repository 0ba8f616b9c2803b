import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** JSON logs to stdout; `LOG_LEVEL` picks the level. Secrets are redacted by path. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'secret',
        '*.secret',
        '*.secrets',
        'secrets',
        'token',
        '*.token',
        'req.headers.authorization',
        'req.headers.cookie',
        'client_secret',
        '*.client_secret',
        'refresh_token',
        '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  });
}
