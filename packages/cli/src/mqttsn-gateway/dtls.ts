import { readFileSync } from 'node:fs';
import { DtlsServer, type DtlsPeerSession } from '@modemlab/module';
import type { DatagramEndpoint } from './datagram.js';

export interface GatewayDtlsOptions {
  /** PEM file paths. */
  cert?: string;
  key?: string;
  ca?: string;
  /** identity → key. */
  psk?: ReadonlyMap<string, Buffer>;
}

/** `identity:hex` of --psk; throws with the flag's wording on a bad value. */
export function parsePskFlag(value: string, previous: Map<string, Buffer> = new Map()): Map<string, Buffer> {
  const i = value.lastIndexOf(':');
  const identity = value.slice(0, i);
  const hex = value.slice(i + 1);
  if (i <= 0 || !/^([0-9a-fA-F]{2}){1,64}$/.test(hex)) throw new Error(`--psk must be IDENTITY:HEXKEY (1..64 bytes), got '${value}'`);
  return new Map(previous).set(identity, Buffer.from(hex, 'hex'));
}

function readPem(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The gateway's DatagramEndpoint over modemlab's DTLS 1.2 server: one DTLS session per
 * client address; each application-data record is one MQTT-SN message. A client is known
 * to the gateway only once its handshake completed.
 */
export async function listenDtls(host: string, port: number, o: GatewayDtlsOptions): Promise<DatagramEndpoint & { port: number; server: DtlsServer }> {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new Error('--dtls needs both --cert and --key');
  if (o.ca !== undefined && o.cert === undefined) throw new Error('--ca needs --cert and --key (client certificates ride certificate suites)');
  const cert = readPem('--cert', o.cert);
  const key = readPem('--key', o.key);
  const ca = readPem('--ca', o.ca);
  const server = new DtlsServer({ ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}), ...(o.psk ? { psk: o.psk } : {}) });
  const addr = await server.listen(port, host);
  const sessions = new Map<string, DtlsPeerSession>();
  const handlers: Array<(peer: string, data: Buffer) => void> = [];
  server.on('session', (s) => {
    sessions.get(s.peer)?.forget();
    sessions.set(s.peer, s);
    s.on('message', (d) => {
      for (const h of handlers) h(s.peer, d);
    });
    s.once('close', () => {
      if (sessions.get(s.peer) === s) sessions.delete(s.peer);
    });
  });
  return {
    port: addr.port,
    server,
    description: `dtls ${addr.address}:${addr.port}`,
    onMessage(handler) {
      handlers.push(handler);
    },
    send(peer, data) {
      sessions.get(peer)?.send(data);
    },
    close: () => server.close(),
  };
}

/** The command's DTLS flags as GatewayCommandOptions.dtls (none without --dtls; TLS flags without it are refused). */
export function gatewayDtlsFlags(o: { dtls?: boolean; cert?: string; key?: string; ca?: string; psk?: string[] }): { dtls?: GatewayDtlsOptions } {
  if (!o.dtls) {
    if (o.cert || o.key || o.ca || o.psk) throw new Error('--cert, --key, --ca and --psk need --dtls');
    return {};
  }
  let psk: Map<string, Buffer> | undefined;
  for (const v of o.psk ?? []) psk = parsePskFlag(v, psk);
  if (!psk && !o.cert) throw new Error('--dtls needs --cert and --key, or --psk');
  return { dtls: { ...(o.cert ? { cert: o.cert } : {}), ...(o.key ? { key: o.key } : {}), ...(o.ca ? { ca: o.ca } : {}), ...(psk ? { psk } : {}) } };
}
