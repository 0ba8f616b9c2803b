import { createServer } from 'node:http';

const body = JSON.stringify({ items: Array.from({ length: 10 }, (_, i) => ({ id: i, name: `item ${i}` })) });
const upstream = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
upstream.keepAliveTimeout = 65000;
upstream.listen(19001, '127.0.0.1');
