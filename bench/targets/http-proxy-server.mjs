// The baseline Junction's undici forwarder must beat: the smallest correct `http-proxy` forwarder,
// with the keep-alive agent it needs to be fair (without one it opens a connection per request).
//   node bench/targets/http-proxy-server.mjs --port 0 --target http://127.0.0.1:PORT[,http://…]
import http from 'node:http';
import { parseArgs } from 'node:util';
import httpProxy from 'http-proxy';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, target: { type: 'string' } } });
const targets = (values.target ?? '').split(',').filter(Boolean);
if (targets.length === 0) throw new Error('--target is required');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ agent, xfwd: true });
proxy.on('error', (_error, _req, res) => {
  if (res.headersSent) res.destroy();
  else res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"upstream"}');
});
let next = 0;
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const target = targets[next];
  next = (next + 1) % targets.length;
  proxy.web(req, res, { target });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`http-proxy listening on ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
