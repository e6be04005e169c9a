import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMosquitto } from './mosquitto.js';

export interface GatewayPeerOptions {
  /** UDP port on 127.0.0.1; 0: any free one (the peer's `port` tells which). */
  port: number;
  /** With cert and key: DTLS (`--dtls`); without: plain UDP. */
  cert?: string;
  key?: string;
  /** Client certificates of this CA are required. */
  ca?: string;
  /** Predefined topics (`--predefined`): id -> topic name. */
  predefined?: Record<number, string>;
}

/** The shipped program, run as a user would (a subprocess, so no import crosses into the cli layer). */
const BIN = fileURLToPath(new URL('../../../cli/bin/modemlab.js', import.meta.url));

/**
 * `modemlab mqttsn-gateway --dtls` on 127.0.0.1:PORT (UDP) in front of a mosquitto started
 * for it (transcripts' `@tls-server NAME:PORT dtls [mutual] mqttsn-gateway`): MQTT Flex's
 * far end. A client subscribed to a topic it publishes to gets its own messages back.
 */
export async function startGatewayPeer(o: GatewayPeerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-gw-peer-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const broker = await startMosquitto();
  const args = [BIN, 'mqttsn-gateway', '--listen', `127.0.0.1:${o.port}`, '--broker', `mqtt://127.0.0.1:${broker.port}`];
  if (o.cert && o.key) args.push('--dtls', '--cert', file('gw.pem', o.cert), '--key', file('gw.key', o.key));
  if (o.ca) args.push('--ca', file('ca.pem', o.ca));
  if (o.predefined) args.push('--predefined', file('topics.json', JSON.stringify(o.predefined)));
  const gw = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const close = async () => {
    if (gw.exitCode === null) {
      const exited = once(gw, 'exit');
      gw.kill('SIGTERM');
      await exited;
    }
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let port = o.port;
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      let err = '';
      gw.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /mqttsn-gateway listening on (?:dtls|udp) [\d.]+:(\d+)/.exec(out);
        if (m) {
          port = Number(m[1]);
          resolve();
        }
      });
      gw.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      gw.once('exit', (code) => reject(new Error(`mqttsn-gateway exited ${code}: ${err}`)));
    });
  } catch (e) {
    await close();
    throw e;
  }
  return { port, close };
}
