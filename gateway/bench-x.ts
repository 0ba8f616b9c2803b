import { createHttpApp, createLogger, listen } from '@mathnet/kit';
import express from 'express';

const mode = process.env.MODE;
let app;
if (mode === 'express') {
  app = express();
  app.get('/health/live', (_q, r) => {
    r.json({ status: 'ok' });
  });
} else {
  app = createHttpApp({
    name: 'x',
    logger: createLogger('x', 'info'),
    routes: () => {},
    processMetrics: false,
  }).app;
}
await listen(app, 19003, '127.0.0.1');
