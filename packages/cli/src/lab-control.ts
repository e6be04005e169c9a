import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CliError, type LabPadsModule as LabModule } from './module-api.js';

/**
 * The lab control socket of a running `serve`: a Unix socket at `<state>/lab.sock` where
 * other `modemlab` commands (gpio, gnss) reach the modules' lab side through the module
 * API — never through the AT port. One JSON request per line, one JSON answer per line:
 *   {"module":0,"gpio":23}             -> {"ok":true,"level":1}      (what the pad reads)
 *   {"module":0,"gpio":23,"drive":1}   -> {"ok":true,"level":1}      (drive; null lets go)
 *   {"module":0,"position":[lat,lon,alt]} -> {"ok":true}
 *   {"module":0,"fota":{"name":"fw.bin","data":"<base64>"}} -> {"ok":true}  (FOTA push)
 *   errors                              -> {"ok":false,"error":"..."}
 * The socket file is the state root's (mode 0600 by the umask of the user); whoever can
 * write the state folder can drive the lab anyway.
 */
export const LAB_SOCKET = 'lab.sock';


export interface LabRequest {
  module?: number;
  gpio?: number;
  drive?: 0 | 1 | null;
  position?: [number, number, number];
  fota?: { name: string; data: string };
}

export type LabAnswer = { ok: true; level?: 0 | 1 } | { ok: false; error: string };

/** The module's refusals (GpioError, FotaPushError kinds) as the CLI says them. */
const LAB_ERRORS: Record<string, (req: LabRequest) => string> = {
  'unknown-pin': (r) => `the product has no GPIO pad ${String(r.gpio)}`,
  'bad-value': () => 'the pad does not take that level',
  'not-an-image': () => 'not a firmware image (the lab format starts "MODEMLAB-FIRMWARE <revision> <version>")',
  busy: () => 'a FOTA download is already in progress (or the module has no clock)',
  'no-space': () => "the image does not fit in the module's file system",
  'bad-name': () => 'not a file name the module takes',
};

export function labSocketPath(state: string): string {
  return path.resolve(state, LAB_SOCKET);
}

/** Answers one request against the modules (pure: the socket only frames it). */
export function handleLabRequest(modules: readonly LabModule[], req: LabRequest): LabAnswer {
  const index = req.module ?? 0;
  const m = Number.isInteger(index) ? modules[index] : undefined;
  if (!m) return { ok: false, error: `no module ${String(index)} (this serve runs ${modules.length})` };
  if (!m.services) return { ok: false, error: 'this module has no lab side' };
  try {
    if (req.gpio !== undefined) {
      if (!Number.isInteger(req.gpio)) return { ok: false, error: 'gpio: a pad number' };
      if (req.drive !== undefined) {
        if (req.drive !== 0 && req.drive !== 1 && req.drive !== null) return { ok: false, error: 'drive: 0, 1 or null' };
        m.services.gpio.drive(req.gpio, req.drive ?? undefined);
      }
      return { ok: true, level: m.services.gpio.level(req.gpio) };
    }
    if (req.position !== undefined) {
      const [latitude, longitude, altitude = 0] = req.position;
      if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180) || !Number.isFinite(altitude)) return { ok: false, error: 'position out of range' };
      m.services.gnss.setPosition({ latitude, longitude, altitude });
      return { ok: true };
    }
    if (req.fota !== undefined) {
      if (typeof req.fota.name !== 'string' || typeof req.fota.data !== 'string') return { ok: false, error: 'fota: name and base64 data' };
      m.services.firmware.push(req.fota.name, Buffer.from(req.fota.data, 'base64'));
      return { ok: true };
    }
    return { ok: false, error: 'unknown request' };
  } catch (err) {
    const kind = (err as Error).message;
    return { ok: false, error: LAB_ERRORS[kind]?.(req) ?? kind };
  }
}

/** Starts the control socket; close() removes it. A stale socket file of a dead serve is replaced; a live one is refused. */
export async function startLabControl(state: string, modules: readonly LabModule[]): Promise<{ path: string; close(): Promise<void> }> {
  const file = labSocketPath(state);
  if (Buffer.byteLength(file) > 100) throw new CliError(`modemlab: state path too long for the lab control socket (${file}); use a shorter --state`, 2);
  await fs.mkdir(path.dirname(file), { recursive: true });
  if (await answers(file)) throw new CliError(`modemlab: another serve runs on state ${path.resolve(state)} (${file} answers)`, 2);
  await fs.rm(file, { force: true });
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 16 * 1024 * 1024) return sock.destroy();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let answer: LabAnswer;
        try {
          answer = handleLabRequest(modules, JSON.parse(line) as LabRequest);
        } catch {
          answer = { ok: false, error: 'not JSON' };
        }
        sock.write(JSON.stringify(answer) + '\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  return {
    path: file,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }).then(() => fs.rm(file, { force: true })),
  };
}

async function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Sends one request to the serve running on `state`; its answer, or a CliError when none runs. */
export async function labRequest(state: string, req: LabRequest, timeoutMs = 5000): Promise<LabAnswer> {
  const file = labSocketPath(state);
  return new Promise((resolve, reject) => {
    const s = net.connect(file);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new CliError(`modemlab: no answer from the serve on ${file}`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(JSON.stringify(req) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as LabAnswer);
      } catch {
        reject(new CliError(`modemlab: bad answer from ${file}`));
      }
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new CliError(`modemlab: no serve runs on this state (${file}: ${(err as NodeJS.ErrnoException).code ?? err.message}); start \`modemlab serve --state ...\``));
    });
  });
}
