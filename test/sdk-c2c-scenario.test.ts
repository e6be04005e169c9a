/**
 * The SDK scenario (sdk-scenario.test.ts) inside a chip-to-chip session: pair, confirm
 * (V2) and open with modem.security.c2c, then identify, attach, import a CA and a client
 * identity, mutual TLS to a node:tls server with data both ways, the server's close as the
 * end of the stream, a new connection, all unchanged, while every byte on the module's port
 * is a C2C frame; tampered, truncated and wrong-key frames, both ways, are dropped and
 * counted; close returns the port to plain AT. Once on the port itself, once inside CMUX
 * channel 1 (CMUX first, then C2C) with channel 2 answering in clear meanwhile.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIPHERS, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { C2cDecoder, encodeC2cFrame, encryptBody, sealFrames } from '@modemlab/at';
import { createModule, serveTcp, type TcpListener, type VirtualModule } from '@modemlab/module';
import { openModem, type CellularModem, type UbloxModem } from '@modemlab/sdk';
import { makePki, tlsServer, type TestPki } from '../packages/module/src/services/tls/tls.testutil.js';
import { echoRoundTrip } from './echo.testutil.js';

const TE_SECRET = Buffer.from('A0324CFF236F458048656C6C6F6F497D', 'hex');

const serverOptions = (pki: TestPki) => ({
  key: pki.server.key,
  cert: pki.server.cert,
  ca: pki.ca.cert,
  requestCert: true,
  rejectUnauthorized: true,
});

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

for (const mode of ['port', 'cmux'] as const) {
  describe(`SDK scenario inside a C2C V2 session ${mode === 'port' ? 'on the port' : 'on CMUX channel 1'} of a virtual sara-r5`, { timeout: 240_000 }, () => {
    let dir: string;
    let module: VirtualModule;
    let listener: TcpListener;
    let modem: UbloxModem;
    let control: CellularModem | undefined;
    const logs: string[] = [];
    /** What crossed the bottom of the C2C session's stack toward the host, and up from it. */
    const wire = { down: [] as Buffer[], up: [] as Buffer[] };
    const servers: Array<{ close(): Promise<void> }> = [];
    const server = async (onSecure: (s: TLSSocket) => void): Promise<number> => {
      const s = await tlsServer(serverOptions(pki), onSecure);
      servers.push(s);
      return s.port;
    };
    const profile = 0;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `modemlab-c2c-scenario-${mode}-`));
      module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: (m) => logs.push(m) });
      // The stack the session runs on: the port, or channel 1's (its bottom carries CMUX frames,
      // so the C2C bytes are seen at the level above the cmux layer).
      module.onLinkStack((stack) =>
        stack.tap((level, direction, bytes) => {
          const c2cLevel = mode === 'port' ? stack.layers.length > 0 && level === stack.bottom.name : level === 'cmux/dlci1';
          if (c2cLevel && stack.layers.includes('c2c')) (direction === 'down' ? wire.down : wire.up).push(Buffer.from(bytes));
        }),
      );
      listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
      const url = `tcp://127.0.0.1:${listener.address.port}`;
      if (mode === 'port') modem = (await openModem({ url })) as UbloxModem;
      else {
        const [one, two] = (await openModem({ url, mux: { channels: 2, n1: 1509 } })) as [UbloxModem, CellularModem];
        modem = one;
        control = two;
      }
    });

    after(async () => {
      await modem?.close();
      await control?.close();
      await listener?.close();
      await module?.close();
      for (const s of servers) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('pairs (V2), confirms and opens a session', async () => {
      const pairing = await modem.security.c2c.pair(TE_SECRET);
      assert.equal(pairing.keys.version, 2);
      await modem.security.c2c.confirm();
      await modem.security.c2c.open();
      assert.deepEqual(modem.client.intercepts, ['c2c']);
    });

    it('binds the pairing to its terminal: another CMUX channel cannot open it', { skip: mode === 'port' }, async () => {
      const te = TE_SECRET.toString('hex').toUpperCase();
      await assert.rejects(control!.client.send(`AT+USECC2C=1,"${te}"`), /Incorrect parameters/);
      assert.deepEqual(control!.client.intercepts, []);
    });

    it('identifies the module inside the session, and nothing crosses the port in clear', async () => {
      const id = await modem.identify();
      assert.equal(id.model, module.model.identity.model);
      const down = Buffer.concat(wire.down);
      const up = Buffer.concat(wire.up);
      assert.ok(down.length > 0 && up.length > 0);
      assert.equal(down[0], 0xf9);
      assert.ok(!down.includes('SARA-R510M8S') && !up.includes('AT+CGMM'), 'no plain AT on the wire');
      // The bytes on the wire are frames the paired keys decode back to the AT exchange.
      const plain: Buffer[] = [];
      new C2cDecoder(modem.security.c2c.pairing!.keys, (p) => plain.push(p)).push(down);
      assert.ok(Buffer.concat(plain).includes('SARA-R510M8S'));
    });

    it('attaches and imports a CA and a client identity', async () => {
      await modem.attach({ timeoutMs: 30_000 });
      await modem.certificates.import('ca', 'labCA', pki.ca.cert);
      await modem.certificates.import('client-cert', 'labClient', pki.client.cert);
      await modem.certificates.import('private-key', 'labKey', pki.client.key);
      await modem.tls.configure(profile, { ca: 'labCA', clientCert: 'labClient', clientKey: 'labKey' });
    });

    it('echoes 256 KB over mutual TLS inside the session', async () => {
      const port = await server((s) => s.pipe(s));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      try {
        const payload = randomBytes(256 * 1024);
        const trip = echoRoundTrip(socket, payload);
        // Channel 2 answers in clear meanwhile.
        if (control) assert.equal((await control.identify()).model, module.model.identity.model);
        assert.ok((await trip).equals(payload), 'the echoed bytes are the bytes sent');
      } finally {
        socket.destroy();
      }
    });

    it("sees the server's close as the end of the stream, and connects again", async () => {
      const port = await server((s) => s.once('data', (d: Buffer) => s.end(Buffer.concat([Buffer.from('bye '), d]))));
      const socket = await modem.connect({ host: '127.0.0.1', port, tls: { profile } });
      try {
        socket.write('modem');
        let text = '';
        for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
        assert.equal(text, 'bye modem');
      } finally {
        socket.destroy();
      }
      const again = await server((s) => s.pipe(s));
      const next = await modem.connect({ host: '127.0.0.1', port: again, tls: { profile } });
      try {
        const payload = randomBytes(4096);
        assert.ok((await echoRoundTrip(next, payload)).equals(payload));
      } finally {
        next.destroy();
      }
    });

    it('drops tampered, truncated and wrong-key frames both ways, and the session goes on', async () => {
      const keys = modem.security.c2c.pairing!.keys;
      const wrongKeys = { ...keys, hmacKey: Buffer.alloc(16, 0x5a) };
      const tampered = sealFrames(keys, Buffer.from('AT+CGMI\r'), 255);
      tampered[12]! ^= 0x40;
      const truncated = sealFrames(keys, Buffer.from('AT+CGMI\r'), 255).subarray(0, 25);
      const wrongKey = encodeC2cFrame(encryptBody(wrongKeys, Buffer.from('AT+CGMI\r')));
      // Toward the module: written under the AtClient, straight onto its stream.
      const before = logs.filter((l) => l.startsWith('c2c: dropped')).length;
      const stream = modem.client.stream;
      stream.write(Buffer.concat([tampered, wrongKey, truncated]));
      // Toward the host: bytes that arrive on the AtClient's stream as if from the module.
      const urc = (k: typeof keys, text: string): Buffer => sealFrames(k, Buffer.from(text), 1040);
      const badUrc = urc(keys, '\r\n+CGMI: forged\r\n');
      badUrc[20]! ^= 1;
      const unhandled: string[] = [];
      const off = modem.client.onUnhandledLine((l) => unhandled.push(l));
      stream.emit('data', Buffer.concat([badUrc, urc(wrongKeys, '\r\n+FORGED: 1\r\n'), urc(keys, '\r\nGENUINE\r\n').subarray(0, 30)]));
      off();
      // Each truncated frame swallows the start of the next frame until its FCS fails; both
      // decoders then resynchronise after its flag, so the next command and its answer get through.
      await modem.client.send('AT');
      assert.equal((await modem.identify()).model, module.model.identity.model);
      assert.deepEqual(unhandled, []);
      const stats = modem.security.c2c.stats!;
      assert.ok(stats.dropped.fcs + stats.dropped.mac >= 3, JSON.stringify(stats));
      assert.ok(logs.filter((l) => l.startsWith('c2c: dropped')).length >= before + 3);
    });

    it('closes the session: the framed OK, then plain AT on the port', async () => {
      await modem.security.c2c.close();
      assert.deepEqual(modem.client.intercepts, []);
      wire.down.length = 0;
      assert.equal((await modem.identify()).model, module.model.identity.model);
      assert.deepEqual(wire.down, [], 'the session layer is gone');
    });
  });
}

describe('SDK inside a C2C V1 session on a virtual sara-r5-00b', { timeout: 120_000 }, () => {
  it('pairs as V1 (no confirmation needed), opens, identifies the module through V1 frames only, closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modemlab-c2c-v1-'));
    const module = await createModule({ model: 'sara-r5-00b', stateDir: join(dir, 'state'), network: { registrationDelayMs: 0 }, log: () => {} });
    const down: Buffer[] = [];
    module.onLinkStack((stack) =>
      stack.tap((level, direction, bytes) => {
        if (direction === 'down' && level === stack.bottom.name && stack.layers.includes('c2c')) down.push(Buffer.from(bytes));
      }),
    );
    const listener = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    const modem = (await openModem({ url: `tcp://127.0.0.1:${listener.address.port}` })) as UbloxModem;
    try {
      const pairing = await modem.security.c2c.pair(TE_SECRET);
      assert.equal(pairing.keys.version, 1);
      assert.equal(pairing.keys.hmacKey, undefined);
      await modem.security.c2c.confirm(); // nothing to do in V1
      await modem.security.c2c.open();
      assert.deepEqual(modem.client.intercepts, ['c2c']);
      assert.equal((await modem.identify()).model, 'SARA-R510M8S');
      const wire = Buffer.concat(down);
      assert.equal(wire[0], 0xf9);
      assert.ok(!wire.includes('SARA-R510M8S'), 'no plain AT on the wire');
      const plain: Buffer[] = [];
      new C2cDecoder(pairing.keys, (p) => plain.push(p)).push(wire);
      assert.ok(Buffer.concat(plain).includes('SARA-R510M8S'));
      await modem.security.c2c.close();
      assert.deepEqual(modem.client.intercepts, []);
      assert.equal((await modem.identify()).model, 'SARA-R510M8S');
    } finally {
      await modem.close();
      await listener.close();
      await module.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
