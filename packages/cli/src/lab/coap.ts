import type { Listening } from './peers.js';
import { optionalImport } from '../optional-import.js';

/**
 * A CoAP server over UDP on `host:port` (0: a free port; the port it got is returned) (node-coap, an optional peer of the CLI): PUT stores
 * the payload at its path (2.04), POST too (2.01), GET returns what is stored (2.05) or
 * 4.04, DELETE removes it (2.02). Block-wise transfer both ways is node-coap's.
 */
export async function startCoap(host: string, port: number): Promise<Listening> {
  const { createServer } = await optionalImport('coap', () => import('coap'), 'the lab CoAP server');
  const stored = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0]!;
    if (req.method === 'PUT' || req.method === 'POST') {
      stored.set(path, Buffer.from(req.payload));
      res.code = req.method === 'PUT' ? '2.04' : '2.01';
      return res.end();
    }
    if (req.method === 'DELETE') {
      res.code = stored.delete(path) ? '2.02' : '4.04';
      return res.end();
    }
    const body = stored.get(path);
    if (body) return res.end(body);
    res.code = '4.04';
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server as unknown as { _sock: { address(): { port: number } } })._sock.address().port;
  return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
