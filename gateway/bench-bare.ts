import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool('http://127.0.0.1:19001', { connections: 128 });
createServer((req, res) => {
  pool
    .stream(
      {
        method: 'GET',
        path: req.url!.slice('/api/registry'.length),
        headers: { authorization: req.headers.authorization ?? '' },
        opaque: res,
      },
      ({ statusCode, headers, opaque }) => {
        (opaque as typeof res).writeHead(statusCode, headers as never);
        return opaque as typeof res;
      },
    )
    .catch(() => {
      res.statusCode = 503;
      res.end();
    });
}).listen(19004, '127.0.0.1');
