import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SerialPort } from 'serialport';
import { servePty, SocatMissingError } from './pty.js';
import { FakeModule, readUntil, includes } from './fake-module.testutil.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const skip = hasSocat ? false : 'socat not installed (apt-get install socat)';

function tmpLink(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-pty-'));
  return path.join(dir, 'ttyV0');
}

function openPort(p: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: p, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
  });
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => port.close(() => resolve()));
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

test('pty: AT gets OK through the link; close and reopen works', { skip }, async () => {
  const mod = new FakeModule();
  const link = tmpLink();
  const l = await servePty(mod, { path: link });
  try {
    assert.equal(l.path, link);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.match(fs.readlinkSync(link), /^\/dev\/pts\/\d+$/);
    for (let i = 0; i < 3; i++) {
      const port = await openPort(link);
      port.write('AT\r');
      const got = await readUntil(port, includes('OK'));
      assert.equal(got.toString(), '\r\nOK\r\n');
      await closePort(port);
    }
    assert.equal(mod.attached, 1);
  } finally {
    await l.close();
  }
  assert.equal(fs.existsSync(link), false, 'symlink removed on close');
  assert.equal(mod.detached, 1);
});

test('pty: plain fs open of the path, twice in a row', { skip, timeout: 5000 }, async () => {
  const mod = new FakeModule();
  const link = tmpLink();
  const l = await servePty(mod, { path: link });
  try {
    // Async fs (threadpool) so the event loop keeps serving the module meanwhile.
    for (let i = 0; i < 2; i++) {
      const fh = await fs.promises.open(link, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      await fh.write('AT\r');
      const buf = Buffer.alloc(64);
      let got = '';
      while (!got.includes('OK')) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        got += buf.subarray(0, bytesRead).toString('latin1');
      }
      await fh.close();
      assert.equal(got, '\r\nOK\r\n');
    }
  } finally {
    await l.close();
  }
});

test('pty: all 256 byte values round-trip both ways (raw)', { skip }, async () => {
  const mod = new FakeModule('echo');
  const link = tmpLink();
  const l = await servePty(mod, { path: link });
  try {
    const port = await openPort(link);
    const payload = Buffer.concat([allBytes, allBytes, Buffer.from('\x1a\x1b\x03\x00\r\n\n\r+++')]);
    const got = readUntil(port, (all) => all.length >= payload.length);
    port.write(payload);
    assert.deepEqual(await got, payload);
    await closePort(port);
  } finally {
    await l.close();
  }
});

test('pty: a stale symlink is replaced; a regular file is refused', { skip }, async () => {
  const mod = new FakeModule();
  const link = tmpLink();
  fs.symlinkSync('/nonexistent', link);
  const l = await servePty(mod, { path: link });
  assert.match(fs.readlinkSync(link), /^\/dev\/pts\//);
  await l.close();
  fs.writeFileSync(link, 'x');
  await assert.rejects(servePty(mod, { path: link }), /not a symlink/);
});

test('pty: missing socat rejects with an install hint', async () => {
  const mod = new FakeModule();
  await assert.rejects(
    servePty(mod, { path: tmpLink(), socat: 'socat-does-not-exist-xyz' }),
    (err: unknown) => err instanceof SocatMissingError && /apt-get install socat/.test(err.message),
  );
  assert.equal(mod.attached, 0);
});

test('pty: socat failing to start rejects with its message', { skip }, async () => {
  const mod = new FakeModule();
  await assert.rejects(servePty(mod, { path: '/nonexistent-dir-xyz/ttyV0' }), /socat exited/);
});

test('pty: raw without the client setting termios (plain fs), all bytes', { skip, timeout: 5000 }, async () => {
  const mod = new FakeModule('echo');
  const link = tmpLink();
  const l = await servePty(mod, { path: link });
  try {
    const fh = await fs.promises.open(link, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    await fh.write(allBytes);
    const parts: Buffer[] = [];
    let n = 0;
    while (n < 256) {
      const buf = Buffer.alloc(512);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      parts.push(buf.subarray(0, bytesRead));
      n += bytesRead;
    }
    await fh.close();
    assert.deepEqual(Buffer.concat(parts), allBytes);
  } finally {
    await l.close();
  }
});

/**
 * A socat that holds back its "starting data transfer loop" notice until the test opens
 * `gate`, and says so on `held` (both FIFOs): the moment between socat's own link and
 * the transport's go, made as long as the test needs.
 */
function gatedSocat(dir: string): { socat: string; held: string; gate: string } {
  const held = path.join(dir, 'held');
  const gate = path.join(dir, 'gate');
  spawnSync('mkfifo', [held, gate]);
  const socat = path.join(dir, 'gated-socat');
  fs.writeFileSync(
    socat,
    `#!/bin/bash
exec socat "$@" 2> >(
  while IFS= read -r line; do
    case "$line" in *"starting data transfer loop"*) echo held > '${held}'; read -r _ < '${gate}';; esac
    printf '%s\\n' "$line" >&2
  done)
`,
    { mode: 0o755 },
  );
  return { socat, held, gate };
}

test('pty: the path appears only once the pty is raw (no client can open it cooked)', { skip }, async () => {
  const mod = new FakeModule('echo');
  const link = tmpLink();
  const gated = gatedSocat(path.dirname(link));
  const serving = servePty(mod, { path: link, socat: gated.socat });
  // socat has linked its pty and set raw mode; its notice is held.
  await fs.promises.readFile(gated.held);
  assert.equal(fs.existsSync(link), false, 'the public path must not exist before the transport has seen raw mode set');
  await fs.promises.writeFile(gated.gate, 'go\n');
  const l = await serving;
  try {
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    const stty = spawnSync('stty', ['-F', link, '-a'], { encoding: 'utf8' });
    assert.match(stty.stdout, /-opost/);
    assert.match(stty.stdout, /-icanon/);
    assert.match(stty.stdout, /-echo /);
    // No leftover private name next to the public one.
    assert.deepEqual(fs.readdirSync(path.dirname(link)).filter((n) => n.startsWith('.')), []);
  } finally {
    await l.close();
  }
  assert.equal(fs.existsSync(link), false);
});
