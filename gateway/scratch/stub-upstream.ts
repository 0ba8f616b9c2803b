// Scratch: a fast upstream (JWKS + a fixed JSON list) for profiling the gateway alone.

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateSigningKey, jwksDocument, TokenIssuer } from '@mathnet/auth';

const key = generateSigningKey();
const jwks = JSON.stringify(jwksDocument([key]));
const token = new TokenIssuer({ key, accessTtlSeconds: 3600 }).issueAccessToken({
  subject: 'p1',
  kind: 'person',
  roles: [],
}).accessToken;
const list = JSON.stringify({
  items: Array.from({ length: 20 }, (_, i) => ({ id: `org-${i}`, name: `Школа №${i}`, kind: 'school' })),
  nextCursor: null,
});
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.url === '/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(jwks);
    return;
  }
  if (req.url === '/health/ready') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': String(req.headers['x-request-id'] ?? ''),
  });
  res.end(list);
});
server.listen(Number(process.env.PORT ?? 9101), '127.0.0.1', () => {
  writeFileSync(process.env.TOKEN_FILE ?? '/tmp/gw-token', token);
  console.log('stub ready');
});
