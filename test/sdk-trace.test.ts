import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decodeTrace, type TraceChunk } from '@modemlab/at';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem, openModem } from '@modemlab/sdk';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { prettyTrace } from '../packages/cli/src/trace-pretty.js';

/** The pretty lines without their time and port columns. */
const body = (lines: string[]): string[] => lines.filter((l) => !l.startsWith('---')).map((l) => l.replace(/^\s*\d+\.\d{3}\s+\S+\s+/, ''));

describe('AtClient trace option (a real SARA-R5 over an in-process stream)', () => {
  let dir: string;
  let module: VirtualModule;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-trace-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
  });

  after(async () => {
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands every chunk each way to a callback, in order, with monotonic times', async () => {
    const records: TraceChunk[] = [];
    const client = new AtClient(connectInProcess(module), { trace: (r) => records.push(r), defaultTimeoutMs: 5_000 });
    try {
      await client.send('AT+CGMI');
      await client.send('AT+UDWNFILE="traced",5', { prompt: { data: 'hello' } });
    } finally {
      await client.close();
    }
    const sent = records.filter((r) => r.dir === 'to-module').map((r) => r.bytes.toString('latin1'));
    assert.deepEqual(sent, ['AT+CGMI\r', 'AT+UDWNFILE="traced",5\r', 'hello']);
    const received = Buffer.concat(records.filter((r) => r.dir === 'from-module').map((r) => r.bytes)).toString('latin1');
    assert.equal(received, 'AT+CGMI\r\r\nu-blox\r\n\r\nOK\r\nAT+UDWNFILE="traced",5\r\r\n>\r\nOK\r\n');
    for (const r of records) {
      assert.equal(r.port, 'at-client');
      assert.equal(r.layer, 'at-client');
    }
    const times = records.map((r) => r.time);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  });

  it('writes JSON lines to a writable that `modemlab trace` reads back as the conversation', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const client = new AtClient(connectInProcess(module), { trace: { sink: out, port: 'uart1' }, defaultTimeoutMs: 5_000 });
    try {
      await client.send('AT+CMEE=2');
      await client.send('AT+CGMM');
      await assert.rejects(client.send('AT+UDWNFILE="x"'));
    } finally {
      await client.close();
    }
    const lines = decodeTrace(text);
    assert.equal(lines[0]!.kind, 'start');
    assert.ok(lines.slice(1).every((l) => l.kind === 'chunk' && l.port === 'uart1'));
    assert.deepEqual(body(prettyTrace(lines)), [
      '> AT+CMEE=2',
      '< OK',
      '> AT+CGMM',
      '< SARA-R510M8S',
      '< OK',
      '> AT+UDWNFILE="x"',
      '< +CME ERROR: Incorrect parameters',
    ]);
    assert.ok(!out.writableEnded, 'the client leaves the sink open: the application owns it');
  });

  it('a sink that throws does not disturb the commands', async () => {
    const client = new AtClient(connectInProcess(module), {
      trace: () => {
        throw new Error('disk full');
      },
      defaultTimeoutMs: 5_000,
    });
    try {
      assert.deepEqual((await client.send('AT+CGMI')).lines, ['u-blox']);
    } finally {
      await client.close();
    }
  });
  it('traces online data mode: the data each way and the end of the link', { timeout: 30_000 }, async () => {
    // A real TCP peer on loopback: echoes the first data, then closes.
    const server = createServer((s) => {
      s.on('error', () => {});
      s.once('data', (d: Buffer) => s.end(d));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const records: TraceChunk[] = [];
    const client = new AtClient(connectInProcess(module), { trace: (r) => records.push(r), defaultTimeoutMs: 10_000 });
    try {
      const modem = new UbloxModem(client);
      await modem.init();
      await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
      const socket = await modem.connect({ host: '127.0.0.1', port, directLink: true });
      socket.write('ping');
      let text = '';
      for await (const chunk of socket) text += (chunk as Buffer).toString();
      assert.equal(text, 'ping');
    } finally {
      await client.close();
      server.close();
    }
    const shown = body(prettyTrace(records));
    const at = shown.findIndex((l) => /^> AT\+USODL=\d$/.test(l));
    assert.ok(at >= 0, shown.join('\n'));
    assert.deepEqual(shown.slice(at + 1, at + 5), ['< CONNECT', '>> ping', '<< ping', '< NO CARRIER']);
  });

  it('openModem over CMUX traces each channel under its DLCI, in one session', { timeout: 30_000 }, async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const modems = await openModem({ stream: connectInProcess(module), mux: { channels: 2 }, client: { trace: { sink: out, port: 'uart' }, defaultTimeoutMs: 5_000 } });
    try {
      await modems[1]!.client.send('AT+CGMM');
    } finally {
      for (const m of modems) await m.client.close();
    }
    const lines = decodeTrace(text);
    assert.equal(lines.filter((l) => l.kind === 'start').length, 1);
    const chunks = lines.filter((l): l is TraceChunk => l.kind === 'chunk');
    assert.deepEqual([...new Set(chunks.map((c) => c.channel))].sort(), [1, 2]);
    const shown = prettyTrace(lines).map((l) => l.replace(/^\s*\d+\.\d{3}\s+/, '').replace(/\s+/, ' '));
    const at = shown.indexOf('uart/dlci2 > AT+CGMM');
    assert.ok(at >= 0, shown.join('\n'));
    assert.deepEqual(shown.slice(at + 1, at + 3), ['uart/dlci2 < SARA-R510M8S', 'uart/dlci2 < OK']);
  });
});
