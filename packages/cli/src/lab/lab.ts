import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ModuleApi } from '../module-api.js';
import { startServe, type ServeOptions } from '../serve.js';
import { hasMosquitto, startBroker } from './broker.js';
import { startCoap } from './coap.js';
import { LAB_FTP_PASSWORD, LAB_FTP_USER, startFtps } from './ftps.js';
import { startHttps, startTcpEcho, startTlsEcho, type Listening } from './peers.js';
import { makeLabPki, type LabPki } from './pki.js';

/**
 * The lab's peers, one row each: the name and address the modules use (`--hosts`), the
 * well-known port they dial (`--forward`ed to where the peer really listens on 127.0.0.1).
 * The README's examples are written against these names.
 */
export const LAB_PEERS = [
  { id: 'tcp-echo', what: 'TCP echo', host: 'echo.lab', ip: '127.0.77.1', port: 7 },
  { id: 'tls-echo', what: 'TLS echo', host: 'echo.lab', ip: '127.0.77.1', port: 4433 },
  { id: 'https', what: 'HTTPS (GET / -> "hello from the lab")', host: 'www.lab', ip: '127.0.77.2', port: 443 },
  { id: 'mqtt', what: 'MQTT broker (mosquitto)', host: 'broker.lab', ip: '127.0.77.3', port: 1883 },
  { id: 'mqtts', what: 'MQTT over TLS (mosquitto)', host: 'broker.lab', ip: '127.0.77.3', port: 8883 },
  // UDP: the module's CoAP client routes its datagrams through the same forwards as TCP.
  { id: 'coap', what: 'CoAP over UDP (PUT stores, GET returns)', host: 'coap.lab', ip: '127.0.77.5', port: 5683 },
  { id: 'ftps', what: `FTPS, explicit TLS (user ${LAB_FTP_USER}, password ${LAB_FTP_PASSWORD})`, host: 'ftp.lab', ip: '127.0.77.4', port: 21 },
] as const;

export type LabPeerId = (typeof LAB_PEERS)[number]['id'];

export interface LabOptions extends Omit<ServeOptions, 'hosts' | 'forwards' | 'net'> {
  /** Extra names beside the lab's own (`--hosts`). */
  hosts?: Record<string, string>;
  forwards?: Record<string, string>;
  /** The lab's CA and certificates go here (default <state>/lab). */
  dir?: string;
  /** Peers not to start. */
  skip?: readonly LabPeerId[];
}

export interface Lab {
  pki: LabPki;
  /** Where each peer really listens on 127.0.0.1 (a peer not started is absent). */
  ports: Partial<Record<LabPeerId, number>>;
  close(): Promise<void>;
}

/** The --hosts and --forward tables that make the modules reach the started peers. */
export function labRoutes(ports: Partial<Record<LabPeerId, number>>): { hosts: Record<string, string>; forwards: Record<string, string> } {
  const hosts: Record<string, string> = {};
  const forwards: Record<string, string> = {};
  for (const p of LAB_PEERS) {
    const real = ports[p.id];
    if (real === undefined) continue;
    hosts[p.host] = p.ip;
    forwards[`${p.ip}:${p.port}`] = `127.0.0.1:${real}`;
  }
  return { hosts, forwards };
}

/**
 * `modemlab lab`: a generated CA, the peers of LAB_PEERS on free ports, then the modules
 * (`serve` with --net lab and the routes), one printed line for each thing started.
 */
export async function startLab(api: ModuleApi, opts: LabOptions, print: (line: string) => void, warn: (line: string) => void = print, log?: Logger): Promise<Lab> {
  const dir = path.resolve(opts.dir ?? path.join(opts.state, 'lab'));
  mkdirSync(dir, { recursive: true });
  const pki = makeLabPki(dir, [...new Set(LAB_PEERS.map((p) => p.host))]);
  const closers: Array<() => Promise<void>> = [];
  const ports: Partial<Record<LabPeerId, number>> = {};
  const closeAll = async () => {
    await Promise.allSettled(closers.splice(0).reverse().map((c) => c()));
  };
  try {
    const started: Array<[LabPeerId, Listening]> = [
      ['tcp-echo', await startTcpEcho()],
      ['tls-echo', await startTlsEcho(pki)],
      ['https', await startHttps(pki)],
    ];
    for (const [id, l] of started) {
      ports[id] = l.port;
      closers.push(() => l.close());
    }
    if (hasMosquitto()) {
      const [plain, secure] = [await freePort(), await freePort()];
      const broker = await startBroker(plain, secure, pki);
      closers.push(() => broker.close());
      ports.mqtt = plain;
      ports.mqtts = secure;
    } else warn('modemlab: lab: mosquitto not found (apt-get install mosquitto): no MQTT broker');
    if (!opts.skip?.includes('coap')) {
      try {
        const coap = await startCoap('127.0.0.1', 0);
        closers.push(() => coap.close());
        ports.coap = coap.port;
      } catch (err) {
        warn(`modemlab: lab: no CoAP server (${(err as Error).message})`);
      }
    }
    try {
      const ftps = await startFtps(dir, pki);
      closers.push(() => ftps.close());
      ports.ftps = ftps.port;
    } catch (err) {
      warn(`modemlab: lab: no FTPS server (${(err as Error).message})`);
    }

    const routes = labRoutes(ports);
    print(`modemlab: lab CA ${path.join(dir, 'ca.pem')}`);
    for (const p of LAB_PEERS) {
      if (ports[p.id] !== undefined) print(`modemlab: lab ${p.what} at ${p.host}:${p.port} (${p.ip}, really 127.0.0.1:${ports[p.id]})`);
    }
    const served = await startServe(api, { ...withoutLabOptions(opts), net: 'lab', hosts: { ...routes.hosts, ...opts.hosts }, forwards: { ...routes.forwards, ...opts.forwards } }, print, warn, log);
    // serve starts the console with the modules (opts.console) and closes it with them; closers run in reverse: modules, then the peers.
    closers.push(() => served.close());
    return { pki, ports, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function withoutLabOptions(opts: LabOptions): Omit<LabOptions, 'skip' | 'dir'> {
  const { skip: _skip, dir: _dir, ...serve } = opts;
  return serve;
}
