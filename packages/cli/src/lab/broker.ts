import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabPki } from './pki.js';

/** Is mosquitto on PATH? The lab's MQTT(S) broker is Debian's mosquitto when present. */
export function hasMosquitto(): boolean {
  return spawnSync('mosquitto', ['-h']).error === undefined;
}

/**
 * mosquitto on 127.0.0.1 with a plain and a TLS listener (the lab's server certificate), a
 * generated configuration in a temporary folder of its own (run as root, mosquitto drops to
 * its own user, which must reach the files: the lab's folder may sit in a private one);
 * resolves once its log says every listener is open.
 */
export async function startBroker(port: number, tlsPort: number, pki: LabPki): Promise<{ close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-lab-mosquitto-'));
  chmodSync(dir, 0o755);
  for (const [name, pem] of Object.entries({ 'ca.pem': pki.caPem, 'cert.pem': pki.serverCert, 'key.pem': pki.serverKey })) writeFileSync(join(dir, name), pem, { mode: 0o644 });
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    'per_listener_settings false', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', 'allow_anonymous true',
    `listener ${port} 127.0.0.1`,
    `listener ${tlsPort} 127.0.0.1`, `cafile ${join(dir, 'ca.pem')}`, `certfile ${join(dir, 'cert.pem')}`, `keyfile ${join(dir, 'key.pem')}`,
  ].join('\n') + '\n');
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/mosquitto version \S+ running/.test(log)) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (rmSync(dir, { recursive: true, force: true }), reject(new Error(`mosquitto exited (${code}): ${log}`))));
    child.once('error', reject);
  });
  return {
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
