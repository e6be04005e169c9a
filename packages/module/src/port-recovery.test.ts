import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import type { PortFlow } from './link/port-flow.js';
import { VirtualModule } from './module.js';
import { UART_LIMITS } from './models/uart-limits.js';
import { ModuleHarness } from './testing/harness.js';
import { servePty } from './transports/pty.js';
import { serveTcp } from './transports/tcp.js';
import { at, telitModule } from './dialects/telit/telit.testutil.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const skip = hasSocat ? false : 'socat not installed (apt-get install socat)';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Waits (on events, not time) until the module has taken `count` bytes from its ports. */
async function receivedAtLeast(module: VirtualModule, count: number): Promise<void> {
  while (module.received < count) await turns(1);
}

/** Reads a file handle until `text` appears; returns everything read. */
async function readUntilText(fh: fs.promises.FileHandle, text: string): Promise<string> {
  const buf = Buffer.alloc(65536);
  let got = '';
  while (!got.includes(text)) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    got += buf.subarray(0, bytesRead).toString('latin1');
  }
  return got;
}

async function tmpModule(model: string, clock: ManualClock, extra: { portStallMs?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-recovery-'));
  const logs: string[] = [];
  const module = await VirtualModule.create({ model, stateDir: dir, clock, log: (m) => logs.push(m), ...extra });
  return {
    module,
    dir,
    logs,
    async close() {
      await module.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const UPLOAD_START = 'AT+QSSLCFG=1,0,"cacert"\r-----BEGIN CERTIFICATE-----\r\nMIIB';

describe('prompts end: a host that dies mid-upload', () => {
  it('BC66 +QSSLCFG "cacert": silence for promptIdleMs ends the prompt in ERROR', async () => {
    const h = await ModuleHarness.create({ model: 'bc66', clock: new ManualClock(Date.now()) });
    try {
      await h.send('ATE0\r');
      assert.equal(await h.send('AT+QSSLCFG=1,0,"cacert"\r'), '\r\n> ');
      await h.send('-----BEGIN CERTIFICATE-----\r\n');
      assert.equal(await h.advance(UART_LIMITS.promptIdleMs - 1), '');
      assert.equal(await h.advance(1), '\r\nERROR\r\n');
      // Nothing was stored: the query still has no certificate, and the port takes commands.
      assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('Telit #SSLSECDATA in PEM mode: silence for promptIdleMs ends the prompt in the SSL error', async () => {
    const h = await telitModule('ge910');
    try {
      assert.match(await at(h, 'AT#SSLSECDATA=1,1,1,1200\r'), /> $/);
      h.terminal.input(Buffer.from('-----BEGIN CERTIFICATE-----\r\n'));
      assert.equal(await h.advance(UART_LIMITS.promptIdleMs - 1), '');
      assert.match(await h.advance(1), /\r\n\+CME ERROR: \d+\r\n$/);
      assert.equal(await at(h, 'AT\r'), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('TCP: the next client of the port finds command mode', async () => {
    const m = await tmpModule('bc66', new ManualClock(Date.now()));
    const l = await serveTcp(m.module, { host: '127.0.0.1', port: 0 });
    try {
      const first = net.connect({ host: '127.0.0.1', port: l.address.port });
      await once(first, 'connect');
      first.write(UPLOAD_START);
      await receivedAtLeast(m.module, UPLOAD_START.length);
      first.destroy();
      const next = net.connect({ host: '127.0.0.1', port: l.address.port });
      await once(next, 'connect');
      next.write('AT\r');
      let got = '';
      while (!got.includes('\r\nOK\r\n')) got += ((await once(next, 'data'))[0] as Buffer).toString('latin1');
      assert.equal(got, 'AT\r\r\nOK\r\n');
      next.destroy();
    } finally {
      await l.close();
      await m.close();
    }
  });

  it('PTY: once the prompt has timed out, the next client of the pty finds command mode', { skip, timeout: 20_000 }, async () => {
    const clock = new ManualClock(Date.now());
    const m = await tmpModule('bc66', clock);
    const l = await servePty(m.module, { path: path.join(m.dir, 'ttyV0') });
    try {
      const first = await fs.promises.open(l.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      await first.write(UPLOAD_START);
      await receivedAtLeast(m.module, UPLOAD_START.length);
      await first.close();
      // The pty stays (socat holds it): only the prompt's own limit can end the upload.
      clock.advance(UART_LIMITS.promptIdleMs);
      const next = await fs.promises.open(l.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      await next.write('AT\r');
      const got = await readUntilText(next, 'AT\r\r\nOK\r\n');
      await next.close();
      // What the first client left unread (the prompt, its ERROR) comes first; then the answer.
      assert.match(got, /ERROR\r\nAT\r\r\nOK\r\n$/);
    } finally {
      await l.close();
      await m.close();
    }
  });
});

describe('a stalled PTY port', () => {
  it('is dropped after the stall limit and a fresh terminal (command mode) takes the pty; socat stays', { skip, timeout: 30_000 }, async () => {
    const clock = new ManualClock(Date.now());
    const m = await tmpModule('sara-r5', clock, { portStallMs: 1000 });
    m.module.services.files.write('big.bin', Buffer.alloc(1024 * 1024, 'x'.charCodeAt(0)));
    const flows: PortFlow[] = [];
    m.module.onLinkStack((stack) => stack.flow && flows.push(stack.flow));
    const l = await servePty(m.module, { path: path.join(m.dir, 'ttyV0') });
    try {
      const client = await fs.promises.open(l.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      await client.write('ATE0\rAT+URDFILE="big.bin"\r');
      const flow = flows[0]!;
      while (!flow.blocked) await once(flow, 'blocked');
      clock.advance(1000);
      assert.ok(m.logs.some((x) => /took no output for 1000 ms .*dropped/.test(x)), m.logs.join('\n'));
      // The dropped stream closes on the next tick; then a fresh terminal is attached to the pty.
      while (flows.length < 2) await turns(1);
      assert.equal(flows.length, 2);
      // The client reads what was already on its way, then talks to the fresh terminal (echo on again).
      await client.write('AT\r');
      const got = await readUntilText(client, 'AT\r\r\nOK\r\n');
      assert.match(got, /AT\r\r\nOK\r\n$/);
      await client.close();
    } finally {
      await l.close();
      await m.close();
    }
  });
});
