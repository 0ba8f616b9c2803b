// Scratch: the minimal keep-alive undici proxy, for reference.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool('http://127.0.0.1:9101', { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  pool
    .stream(
      {
        method: req.method as 'GET',
        path: req.url!.slice('/api/registry'.length),
        headers: req.headers as Record<string, string>,
        body: null,
        opaque: res,
      },
      ({ statusCode, headers, opaque }) => {
        (opaque as typeof res).writeHead(statusCode, headers as Record<string, string>);
        return opaque as typeof res;
      },
    )
    .catch(() => res.destroy());
}).listen(9102, '127.0.0.1');
process.on('SIGINT', () => process.exit(0));
