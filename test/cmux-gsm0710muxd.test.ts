/**
 * An independent 27.010 peer: Debian's gsm0710muxd (the pyneo/openmoko host multiplexer,
 * `apt-get install gsm0710muxd`) drives a virtual SARA-R5 served on a real pseudo-terminal.
 * It sends its own AT preamble and `AT+CMUX=0,0,5,31`, opens DLCI 0 and one DLCI per
 * D-Bus GetDevice call, waits for the module's MSC, and bridges each channel to a new pty.
 * The test runs its own private D-Bus bus (no system configuration is touched). Skipped
 * where gsm0710muxd, dbus-daemon or socat is missing. Linux's n_gsm line discipline would be
 * the other peer, but this kernel has no N_GSM0710 (TIOCSETD answers EINVAL).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, watch, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createModule, servePty, type PtyListener, type VirtualModule } from '@modemlab/module';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['gsm0710muxd', 'dbus-daemon', 'dbus-send', 'socat'].filter((c) => !has(c));

/** Resolves when `file` contains `text` (watching the file, no polling). */
function waitForText(file: string, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => existsSync(file) && readFileSync(file, 'latin1').includes(text);
    if (check()) return resolve();
    const dir = join(file, '..');
    const watcher = watch(dir, () => {
      if (!check()) return;
      clearTimeout(timer);
      watcher.close();
      resolve();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} did not show ${JSON.stringify(text)} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** Sends command lines on a channel pty and collects each answer up to its final result. */
async function talk(path: string, commands: string[]): Promise<string[]> {
  const fd = openSync(path, 'r+');
  const input = new ReadStream(fd);
  input.setRawMode(true);
  const answers: string[] = [];
  let buffer = '';
  let waiting: (() => void) | undefined;
  input.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    if (/\r\n(OK|ERROR|\+CME ERROR: [^\r]*)\r\n$/.test(buffer)) waiting?.();
  });
  try {
    for (const command of commands) {
      buffer = '';
      const done = new Promise<void>((resolve) => (waiting = resolve));
      writeSync(fd, `${command}\r`);
      await done;
      answers.push(buffer);
    }
  } finally {
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      // closed by the stream already
    }
  }
  return answers;
}

describe('CMUX with gsm0710muxd as the host', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false, timeout: 150_000 }, () => {
  let dir: string;
  let module: VirtualModule;
  let pty: PtyListener;
  let bus: ChildProcess;
  let mux: ChildProcess;
  let env: NodeJS.ProcessEnv;
  const dbus = (...args: string[]) =>
    promisify(execFile)('dbus-send', ['--system', '--print-reply', '--type=method_call', '--dest=org.pyneo.mux', '/org/pyneo/Muxer', ...args], { env });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-gsm0710-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: () => {} });
    pty = await servePty(module, { path: join(dir, 'ttyV0') });
    const socket = join(dir, 'bus.sock');
    const config = join(dir, 'bus.conf');
    // A private bus that lets anyone own and call anything: the test's own, nothing else on it.
    writeFileSync(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${socket}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>`,
    );
    bus = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => bus.stdout!.once('data', () => resolve()));
    env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` };
    const log = join(dir, 'mux.log');
    mux = spawn('gsm0710muxd', ['-s', pty.path, '-m', 'basic', '-f', '31', '-v', '-v', '-l', log], { env, stdio: 'ignore' });
    // 60 s like the next wait: a 10 s limit expired once on the 2-core machine under eleven parallel builds (the daemon starts slowly under load).
    await waitForText(log, 'starting', 60_000);
    // The daemon logs "starting" before it owns its bus name: until it does, the bus answers
    // ServiceUnknown, so ask again (the 60 s is a hang guard, as above).
    for (const t0 = Date.now(); ; ) {
      try {
        await dbus('org.pyneo.Powered.SetPower', 'string:test', 'boolean:true');
        break;
      } catch (err) {
        if (!String((err as Error).message).includes('ServiceUnknown') || Date.now() - t0 > 60_000) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await waitForText(log, 'Control channel opened', 60_000);
  });

  after(async () => {
    mux?.kill();
    bus?.kill();
    await pty?.close();
    await module?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the mux with its own +CMUX and opens channels that are separate AT terminals', async () => {
    const device = async (): Promise<string> => {
      const { stdout } = await dbus('org.pyneo.Powered.GetDevice', 'string:test');
      const m = /file:\/\/(\/dev\/pts\/\d+)/.exec(stdout);
      assert.ok(m, `GetDevice answered ${stdout}`);
      return m[1]!;
    };
    const first = await device();
    const second = await device();
    // DLCI 1 is the terminal gsm0710muxd set up with ATE0 before +CMUX; DLCI 2 is new (echo on).
    const a = await talk(first, ['AT+CGMI', 'AT+CMEE=2', 'AT+CMEE?']);
    assert.deepEqual(a, ['\r\nu-blox\r\n\r\nOK\r\n', '\r\nOK\r\n', '\r\n+CMEE: 2\r\n\r\nOK\r\n']);
    const b = await talk(second, ['AT+CGMM', 'AT+CMEE?']);
    assert.deepEqual(b, [`AT+CGMM\r\r\n${module.model.identity.model}\r\n\r\nOK\r\n`, 'AT+CMEE?\r\r\n+CMEE: 0\r\n\r\nOK\r\n']);
  });
});
