import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { loadModuleApi } from '../module-api.js';
import { startServe, type Served } from '../serve.js';
import type { ConsoleEntry } from './live-trace.js';
import { LabClient } from '@modemlab/sdk';

/** A WebSocket's messages, awaited one condition at a time. */
class Feed {
  readonly messages: unknown[] = [];
  private wake?: () => void;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')));
      this.wake?.();
    });
  }
  async until<T>(find: (m: unknown[]) => T | undefined): Promise<T> {
    for (;;) {
      const found = find(this.messages);
      if (found !== undefined) return found;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

const events = (messages: unknown[]): ConsoleEntry[] =>
  messages.flatMap((m) => ((m as { history?: ConsoleEntry[] }).history ?? [m as ConsoleEntry])).filter((e) => e.kind === 'event');
const hasEvent = (mark: string, text: string) => (messages: unknown[]) => events(messages).find((e) => e.kind === 'event' && e.mark === mark && e.text === text);

describe('lab console API', () => {
  let served: Served;
  let base: string;
  let state: string;
  let peer: net.Server;
  const lines: string[] = [];

  before(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-console-'));
    peer = net.createServer((s) => s.on('data', (d) => s.write(d)));
    peer.listen(0, '127.0.0.1');
    await once(peer, 'listening');
    served = await startServe(
      await loadModuleApi(),
      { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state, hosts: {}, count: 1, network: { registrationDelayMs: 0 }, console: { host: '127.0.0.1', port: 0 } },
      (l) => lines.push(l),
    );
    base = /lab console on (http:\/\/\S+)\//.exec(lines.join('\n'))![1]!;
  });
  after(async () => {
    await served.close();
    peer.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('serves the page and lists the modules', async () => {
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>modemlab console<\/title>/);
    assert.equal((await fetch(`${base}/app.js`)).status, 200);
    assert.deepEqual(await (await fetch(`${base}/api/modules`)).json(), [{ name: 'sara-r5-0', model: 'sara-r5' }]);
    assert.equal((await fetch(`${base}/api/modules/nope/state`)).status, 404);
  });

  it('a port client sends AT and gets OK; the trace shows both, coverage off shows +CEREG: 2 and the socket closing', async () => {
    const trace = new Feed(new WebSocket(`${base.replace('http', 'ws')}/api/modules/sara-r5-0/trace`));
    const port = new WebSocket(`${base.replace('http', 'ws')}/api/modules/sara-r5-0/port`);
    await once(port, 'open');
    let got = '';
    port.on('message', (d: Buffer) => (got += d.toString('latin1')));
    const answer = async (cmd: string, end: string): Promise<string> => {
      got = '';
      port.send(Buffer.from(`${cmd}\r`, 'latin1'));
      while (!got.includes(end)) await once(port, 'message');
      return got;
    };
    assert.equal(await answer('AT', 'OK\r\n'), 'AT\r\r\nOK\r\n');
    await trace.until(hasEvent('>', 'AT'));
    await trace.until(hasEvent('<', 'OK'));
    await answer('AT+CEREG=1', 'OK\r\n');
    assert.match(await answer('AT+USOCR=6', 'OK\r\n'), /\+USOCR: 0/);
    const { port: peerPort } = peer.address() as net.AddressInfo;
    assert.equal(await answer(`AT+USOCO=0,"127.0.0.1",${peerPort}`, '\r\n'), `AT+USOCO=0,"127.0.0.1",${peerPort}\r\r\nOK\r\n`);
    const res = await fetch(`${base}/api/modules/sara-r5-0/controls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"coverage":false}' });
    assert.equal(res.status, 204);
    await trace.until(hasEvent('!', '+CEREG: 2'));
    await trace.until(hasEvent('!', '+UUSOCL: 0'));
    const s = (await (await fetch(`${base}/api/modules/sara-r5-0/state`)).json()) as { registration: { coverage: boolean } };
    assert.equal(s.registration.coverage, false);
    trace.ws.close();
    port.close();
  });

  it('bad controls: 400 with the reason, a radio profile without a radio link: 501', async () => {
    const post = (body: string) => fetch(`${base}/api/modules/sara-r5-0/controls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('{"rat":42}');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /rat must be/);
    assert.equal((await post('{"radio":"ltem:edge"}')).status, 501);
  });

  it('the SDK LabClient: modules, state, control, trace stream', async () => {
    const lab = new LabClient(base);
    assert.deepEqual(await lab.modules(), [{ name: 'sara-r5-0', model: 'sara-r5' }]);
    const seen: string[] = [];
    const stream = lab.trace('sara-r5-0', (e) => {
      if (e.kind === 'event') seen.push(`${e.mark} ${e.text}`);
    });
    await stream.ready;
    await lab.control('sara-r5-0', { coverage: true, signal: { rssi: -91 } });
    assert.equal(((await lab.state('sara-r5-0')) as { signal: { rssi: number } }).signal.rssi, -91);
    await assert.rejects(lab.control('sara-r5-0', { coverage: 'maybe' } as unknown as { coverage: boolean }), /400.*coverage must be/);
    stream.close();
    assert.ok(seen.includes('> AT'));
  });
});

describe('lab console access', () => {
  it('beyond loopback without a token: refused before anything starts', async () => {
    await assert.rejects(
      startServe(await loadModuleApi(), { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: os.tmpdir(), hosts: {}, count: 1, console: { host: '0.0.0.0', port: 0 } }, () => {}),
      /--console on 0\.0\.0\.0 needs --console-token/,
    );
  });

  it('with a token: 401 without it, 200 with it (query or bearer), WebSocket upgrade refused without it', async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-console-'));
    const lines: string[] = [];
    const served = await startServe(
      await loadModuleApi(),
      { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state, hosts: {}, count: 1, console: { host: '127.0.0.1', port: 0, token: 's3cret' } },
      (l) => lines.push(l),
    );
    try {
      const base = /lab console on (http:\/\/\S+)\//.exec(lines.join('\n'))![1]!;
      assert.equal((await fetch(`${base}/api/modules`)).status, 401);
      assert.equal((await fetch(`${base}/api/modules?token=wrong`)).status, 401);
      assert.equal((await fetch(`${base}/api/modules?token=s3cret`)).status, 200);
      assert.equal((await fetch(`${base}/app.js`)).status, 200, 'the page itself is open');
      assert.equal((await fetch(`${base}/api/modules`, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/modules/sara-r5-0/trace`);
      const [err] = (await once(ws, 'error')) as [Error];
      assert.match(err.message, /401/);
      const lab = new LabClient(base, { token: 's3cret' });
      assert.equal((await lab.modules()).length, 1);
    } finally {
      await served.close();
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});
