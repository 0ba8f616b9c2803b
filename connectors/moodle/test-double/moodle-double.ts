import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { type MoodleDoubleSeed, type MoodleDoubleState, stateFromSeed } from './double-state';
import { coreFunctions } from './functions-core';
import { enrolFunctions } from './functions-enrol';
import { gradeFunctions } from './functions-grades';
import { validateParameters } from './moodle-params';
import { MoodleWsError, missingRecord, moodleException } from './moodle-ws-error';
import { type PhpArray, parsePhpForm, phpToPlain } from './php-form-parser';
import type { WsFunction } from './ws-function';
import { xmlError, xmlResponse } from './xml-response';

const functions: Record<string, WsFunction> = { ...coreFunctions, ...enrolFunctions, ...gradeFunctions };

/** The names of the external functions the double implements. */
export const doubleFunctionNames = Object.keys(functions);

/** Options of the double's HTTP app. */
export interface MoodleDoubleOptions {
  /** Where Moodle lives under the host (e.g. `/moodle`); default the root. */
  basePath?: string;
}

/**
 * An express app that answers like Moodle's REST server
 * (`webservice/rest/server.php`, GET or POST, PHP form arrays): token check,
 * per-token allowed functions, Moodle's parameter validation, exceptions as
 * HTTP 200 bodies, JSON or XML as `moodlewsrestformat` asks. The state is
 * in memory and per app.
 */
export function createMoodleDouble(seed: MoodleDoubleSeed, options: MoodleDoubleOptions = {}) {
  const state = stateFromSeed(seed);
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const app = express();
  app.disable('x-powered-by');
  app.use(express.text({ type: 'application/x-www-form-urlencoded', limit: '5mb' }));
  app.all(`${basePath}/webservice/rest/server.php`, (req, res) => {
    if (state.mode === 'down') {
      res
        .status(503)
        .type('html')
        .send('<!DOCTYPE html><title>503 Service Unavailable</title><h1>Service Unavailable</h1>');
      return;
    }
    if (state.mode === 'ratelimited') {
      res.status(429).set('retry-after', '1').type('html').send('<h1>429 Too Many Requests</h1>');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.status(405).set('allow', 'GET, POST').type('html').send('<h1>405 Method Not Allowed</h1>');
      return;
    }
    handleCall(state, req, res);
  });
  app.use((_req, res) => {
    res.status(404).type('html').send('<!DOCTYPE html><title>404 Not Found</title><h1>Not Found</h1>');
  });
  return { app, state };
}

/** `array_merge($_GET, $_POST)`: POST fields win. */
function requestParams(req: Request): PhpArray {
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  const params = parsePhpForm(new URLSearchParams(query));
  if (typeof req.body === 'string') parsePhpForm(new URLSearchParams(req.body), params);
  return params;
}

function handleCall(state: MoodleDoubleState, req: Request, res: Response): void {
  const params = requestParams(req);
  const take = (name: string) => {
    const found = params.get(name);
    params.delete(name);
    return typeof found === 'string' ? found : undefined;
  };
  const format = take('moodlewsrestformat') === 'json' ? 'json' : 'xml';
  const token = take('wstoken');
  const wsfunction = take('wsfunction');
  // webservice_server::set_web_service_call_settings() removes these before the function sees its parameters.
  for (const key of [...params.keys()]) if (key.startsWith('moodlewssetting')) params.delete(key);
  try {
    const seedToken = state.tokens.find((t) => t.token === token);
    if (!token || !seedToken) throw moodleException('invalidtoken', 'Invalid token - token not found');
    if (seedToken.serviceEnabled === false) {
      throw moodleException(
        'servicenotavailable',
        "Web service is not available (it doesn't exist or might be disabled)",
      );
    }
    const wsUser = state.users.find((u) => u.id === (seedToken.userid ?? 2));
    if (!wsUser) throw moodleException('invalidtoken', 'Invalid token - token not found');
    const fn = wsfunction ? functions[wsfunction] : undefined;
    if (!wsfunction || !fn) throw missingRecord('external_functions');
    state.calls.push({ wsfunction, params: phpToPlain(params) });
    const allowedFunctions = seedToken.functions ?? doubleFunctionNames;
    if (!allowedFunctions.includes(wsfunction)) {
      throw new MoodleWsError(
        'webservice_access_exception',
        'accessexception',
        'Access control exception',
        `Access to the function ${wsfunction}() is not allowed. There could be multiple reasons for this: 1. The service linked to the user token does not contain the function. 2. The service is user-restricted and the user is not listed. 3. The service is IP-restricted and the user IP is not listed. 4. The service is time-restricted and the time has expired. 5. The token is time-restricted and the time has expired. 6. The user has a "Require capability" set for the service but doesn't have the capability.`,
      );
    }
    const args = validateParameters(fn.params, params);
    const result = fn.run(args, { state, token: seedToken, wsUser, allowedFunctions });
    send(res, format, format === 'json' ? JSON.stringify(result ?? null) : xmlResponse(result));
  } catch (error) {
    const ex =
      error instanceof MoodleWsError
        ? error
        : new MoodleWsError(
            'coding_exception',
            'codingerror',
            `Coding error detected: ${(error as Error).message}`,
          );
    // Moodle's REST server sends exceptions with HTTP 200 (webservice_rest_server::send_error).
    send(
      res,
      format,
      format === 'json' ? JSON.stringify(ex.toBody(state.debugging)) : xmlError(ex, state.debugging),
    );
  }
}

function send(res: Response, format: 'json' | 'xml', body: string): void {
  res.status(200);
  res.set('cache-control', 'private, must-revalidate, pre-check=0, post-check=0, max-age=0');
  res.set('pragma', 'no-cache');
  res.set('accept-ranges', 'none');
  if (format === 'json') res.set('content-type', 'application/json');
  else res.set('content-type', 'application/xml; charset=utf-8');
  res.send(body);
}

/** A running double: `url` is the Moodle site's base URL (what a school enters as baseUrl). */
export interface RunningMoodleDouble {
  url: string;
  state: MoodleDoubleState;
  close(): Promise<void>;
}

/** Starts the double on 127.0.0.1, on a free port. */
export async function startMoodleDouble(
  seed: MoodleDoubleSeed,
  options: MoodleDoubleOptions = {},
): Promise<RunningMoodleDouble> {
  const { app, state } = createMoodleDouble(seed, options);
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${(options.basePath ?? '').replace(/\/+$/, '')}`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
