/**
 * The SDK over 27.010 CMUX against a virtual module on TCP: openModem({ mux }) gives one
 * modem per DLCI, each its own AT terminal; a direct-link socket on one channel runs while
 * another channel identifies the module; CLD returns the port to plain AT.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { AtClient, AtError, AtTimeoutError, CmuxChannelRefusedError, UbloxModem, connectTcp, openModem, openMux, type CellularModem } from '@modemlab/sdk';
import { Duplex } from 'node:stream';
import { echoRoundTrip } from './echo.testutil.js';

describe('SDK over CMUX (SARA-R5)', { timeout: 120_000 }, () => {
  let dir: string;
  let module: VirtualModule;
  const listeners: TcpListener[] = [];
  /** A listener per test: a TCP port takes one client at a time, and a closed one is freed asynchronously. */
  const url = async (): Promise<string> => {
    const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    listeners.push(l);
    return `tcp://127.0.0.1:${l.address.port}`;
  };
  let echo: Server;
  let echoPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-cmux-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: () => {} });
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as AddressInfo).port;
  });

  after(async () => {
    for (const l of listeners) await l.close();
    await module?.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives one initialised modem per channel, each its own terminal', async () => {
    const modems = (await openModem({ url: await url(), mux: { channels: 3 } })) as CellularModem[];
    try {
      assert.equal(modems.length, 3);
      for (const m of modems) assert.ok(m instanceof UbloxModem);
      const ids = await Promise.all(modems.map((m) => m.identify()));
      for (const id of ids) assert.equal(id.model, module.model.identity.model);
      // Settings are per channel: echo back on for channel 2 only.
      await modems[1]!.client.send('ATE1');
      const r2 = await modems[1]!.client.send('AT+CMEE?');
      const r3 = await modems[2]!.client.send('AT+CMEE?');
      assert.deepEqual(r2.lines, r3.lines);
      await modems[1]!.client.send('AT+CMEE=0');
      assert.deepEqual((await modems[1]!.client.send('AT+CMEE?')).lines, ['+CMEE: 0']);
      assert.notDeepEqual((await modems[2]!.client.send('AT+CMEE?')).lines, ['+CMEE: 0']);
    } finally {
      for (const m of modems) await m.close();
    }
  });

  it('runs a direct-link socket on one channel while another identifies the module', async () => {
    const [data, control] = (await openModem({ url: await url(), mux: { channels: 2 } })) as UbloxModem[];
    try {
      await data!.attach({ timeoutMs: 30_000 });
      const socket = await data!.connect({ host: '127.0.0.1', port: echoPort, directLink: true });
      const payload = randomBytes(64 * 1024);
      const roundTrip = echoRoundTrip(socket, payload);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await control!.identify());
      const back = await roundTrip;
      assert.ok(back.equals(payload), 'the echoed bytes are the bytes sent');
      assert.equal(ids.length, 5);
      assert.equal(ids[4]!.model, module.model.identity.model);
    } finally {
      await data!.close();
      await control!.close();
    }
  });

  it("sends a socket's URCs to the channel that created it, not to the others", async () => {
    const [a, b] = (await openModem({ url: await url(), mux: { channels: 2 } })) as UbloxModem[];
    const seenOnA: string[] = [];
    for (const urc of ['+UUSORD', '+UUSOCL', '+UUSOCO']) a!.client.onUrc(urc, (line) => seenOnA.push(line));
    a!.client.onUnhandledLine((line) => seenOnA.push(line));
    try {
      await b!.attach({ timeoutMs: 30_000 });
      const socket = await b!.connect({ host: '127.0.0.1', port: echoPort });
      const payload = randomBytes(4096);
      const back = await echoRoundTrip(socket, payload);
      assert.ok(back.equals(payload));
      // Channel A's own round trip after the data: anything routed to it has arrived by now.
      await a!.client.send('AT');
      // Network URCs (+CGEV, +UUPSDA...) go to every channel; socket URCs only to B.
      assert.deepEqual(seenOnA.filter((l) => l.startsWith('+UUSO')), []);
      assert.ok(seenOnA.some((l) => l.startsWith('+UUPSDA')), 'A still gets the other URCs');
    } finally {
      await a!.close();
      await b!.close();
    }
  });

  it('refuses a channel beyond the mux table with CmuxChannelRefusedError, and leaves the port in plain AT', async () => {
    const transport = await connectTcp(await url());
    // The SARA-R5 has AT channels 1-5; DLCI 6 is GNSS tunneling on the real module.
    await assert.rejects(openMux(transport, { channels: 6 }), (e: unknown) => e instanceof CmuxChannelRefusedError && e.dlci === 6);
    const plain = new AtClient(transport);
    try {
      assert.deepEqual((await plain.send('AT+CGMI')).lines, [module.model.identity.manufacturer]);
    } finally {
      await plain.close();
    }
  });

  it('rejects with the module\'s error when +CMUX is refused, and with AtTimeoutError when nothing answers', async () => {
    const bc66 = await createModule({ model: 'bc66', stateDir: join(dir, 'bc66'), log: () => {} });
    const l = await serveTcp(bc66, { host: '127.0.0.1', port: 0 });
    const transport = await connectTcp(`tcp://127.0.0.1:${l.address.port}`);
    try {
      await assert.rejects(openMux(transport, { channels: 1 }), (e: unknown) => e instanceof AtError && e.command === 'AT+CMUX=0');
    } finally {
      transport.destroy();
      await l.close();
      await bc66.close();
    }
    // A link that takes bytes and never answers.
    const silent = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
    await assert.rejects(openMux(silent, { channels: 1, timeoutMs: 50 }), (e: unknown) => e instanceof AtTimeoutError);
    await assert.rejects(openMux(silent, { channels: 0 }), RangeError);
  });

  it('closes with CLD, after which the port speaks plain AT again', async () => {
    const transport = await connectTcp(await url());
    const mux = await openMux(transport, { channels: 1 });
    const ch = new AtClient(mux.channels[0]!);
    assert.deepEqual((await ch.send('AT+CGMI')).lines, [module.model.identity.manufacturer]);
    await mux.host.close();
    const plain = new AtClient(transport);
    try {
      assert.deepEqual((await plain.send('AT+CGMM')).lines, [module.model.identity.model]);
    } finally {
      await plain.close();
    }
  });
});
