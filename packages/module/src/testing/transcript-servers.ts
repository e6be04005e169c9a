import { startHttpServer, type TestHttpServer } from './http-server.js';
import { makeServerPki } from './server-pki.js';
import type { HttpsServerSpec } from './transcript.js';

const HTTPS_PORT = 443;

export interface TranscriptServers {
  /** Host table entries: each server's name on its own loopback address. */
  hosts: Record<string, string>;
  /** Lab port forwards: "<its address>:443" to the server's real ephemeral port. */
  forwards: Record<string, string>;
  /** {ca.pem}, {ca.length}, {ca.md5} of the first server's root. */
  vars: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the real HTTPS servers a transcript asks for (@https-server). Server i answers as
 * 127.0.0.(i+1):443 through a lab forward, so no privileged port is needed. Every page
 * says whether the TLS session was new or resumed, from the server's side. The servers
 * resume by session ID from their own cache and issue no tickets (SARA-R5 has no
 * stateless resumption, seed 000 §3.4).
 */
export async function startTranscriptServers(specs: readonly HttpsServerSpec[]): Promise<TranscriptServers> {
  const started: TestHttpServer[] = [];
  const result: TranscriptServers = {
    hosts: {},
    forwards: {},
    vars: new Map(),
    close: async () => {
      for (const s of started.splice(0)) await s.close();
    },
  };
  try {
    for (const [i, spec] of specs.entries()) {
      const pki = makeServerPki({ serverName: spec.name, ...(spec.caName ? { caName: spec.caName } : {}), ...(spec.caExpiry ? { caExpiry: spec.caExpiry } : {}) });
      const server = await startHttpServer(
        (req, res) => {
          const body = `Hello from ${spec.name}: ${req.resumed ? 'resumed' : 'new'} TLS session\n`;
          res.sendDate = false;
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        },
        { key: pki.serverKey, cert: pki.serverCert, sessionIds: true, ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}) },
      );
      started.push(server);
      const address = `127.0.0.${i + 1}`;
      result.hosts[spec.name] = address;
      result.forwards[`${address}:${HTTPS_PORT}`] = `127.0.0.1:${server.port}`;
      if (i === 0) {
        result.vars.set('ca.pem', pki.caPem);
        result.vars.set('ca.length', String(Buffer.byteLength(pki.caPem)));
        result.vars.set('ca.md5', pki.caMd5);
      }
    }
  } catch (err) {
    await result.close();
    throw err;
  }
  return result;
}
