/**
 * The C2C intercept under an AtClient, against a hand-driven module end: the link changes
 * exactly at the final result code even when what follows it arrives in the same chunk,
 * V1 and V2 frames both ways, bad frames never reach the AT parser.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { C2cDecoder, sealFrames, type C2cKeys, type C2cVersion } from '@modemlab/at';
import { AtClient } from './at-client.js';
import { C2C_INTERCEPT, C2cIntercept } from './c2c-intercept.js';
import { duplexPair } from './testing/scripted-module.js';

const keysOf = (version: C2cVersion): C2cKeys => ({
  version,
  teSecret: randomBytes(16),
  encKey: randomBytes(16),
  ...(version === 2 ? { hmacKey: randomBytes(16) } : {}),
});

/** The module end: reads what the host wrote, plain or decoded. */
async function nextWrite(port: Duplex): Promise<Buffer> {
  const [chunk] = (await once(port, 'data')) as [Buffer];
  return chunk;
}

function decode(keys: C2cKeys, wire: Buffer): string {
  const out: Buffer[] = [];
  new C2cDecoder(keys, (p) => out.push(p), { maxBody: 400 }).push(wire);
  return Buffer.concat(out).toString('latin1');
}

for (const version of [1, 2] as const) {
  describe(`C2C intercept V${version} on an AtClient`, () => {
    it('takes over at the OK of the open, even for framed bytes in the same chunk; comes off at the framed OK of the close', async () => {
      const keys = keysOf(version);
      const [host, port] = duplexPair();
      const client = new AtClient(host, { defaultTimeoutMs: 2000 });
      const urcs: string[] = [];
      client.onUrc('+UURC', (l) => urcs.push(l));
      const intercept = new C2cIntercept(keys);

      const opening = client.send('AT+USECC2C=1,"X"', { onSuccess: () => client.addIntercept(intercept) });
      assert.equal((await nextWrite(port)).toString(), 'AT+USECC2C=1,"X"\r');
      // A command queued meanwhile must leave framed, after the OK.
      const next = client.send('AT+CGMI');
      port.write(Buffer.concat([Buffer.from('\r\nOK\r\n'), sealFrames(keys, Buffer.from('\r\n+UURC: 1\r\n'), 1040)]));
      await opening;
      assert.equal(decode(keys, await nextWrite(port)), 'AT+CGMI\r');
      port.write(sealFrames(keys, Buffer.from('\r\nu-blox\r\n\r\nOK\r\n'), 1040));
      assert.deepEqual((await next).lines, ['u-blox']);
      assert.deepEqual(urcs, ['+UURC: 1']);

      // A long command is cut into frames of at most 255 plaintext bytes.
      const long = `AT+X="${'y'.repeat(600)}"`;
      const sending = client.send(long);
      const wire = await nextWrite(port);
      assert.equal(decode(keys, wire), `${long}\r`);
      assert.equal(wire.readUInt16LE(1), version === 1 ? 256 + 48 : 256 + 32);
      // Bad frames and plain text inside the session never reach the parser.
      const bad = sealFrames(keys, Buffer.from('\r\n+UURC: forged\r\n'), 1040);
      bad[9]! ^= 1;
      port.write(Buffer.concat([bad, Buffer.from('\r\n+UURC: plain\r\n'), sealFrames(keysOf(version), Buffer.from('\r\n+UURC: 3\r\n'), 1040)]));
      port.write(sealFrames(keys, Buffer.from('\r\nOK\r\n'), 1040));
      await sending;
      assert.deepEqual(urcs, ['+UURC: 1']);
      assert.ok(intercept.stats.dropped.fcs + intercept.stats.dropped.mac >= 2);

      const closing = client.send('AT+USECC2C=2', { onSuccess: () => client.removeIntercept(C2C_INTERCEPT) });
      assert.equal(decode(keys, await nextWrite(port)), 'AT+USECC2C=2\r');
      // The framed OK and, in the same chunk, a plain URC after it.
      port.write(Buffer.concat([sealFrames(keys, Buffer.from('\r\nOK\r\n'), 1040), Buffer.from('\r\n+UURC: 2\r\n')]));
      await closing;
      assert.deepEqual(client.intercepts, []);
      assert.deepEqual(urcs, ['+UURC: 1', '+UURC: 2']);
      const plain = client.send('AT');
      assert.equal((await nextWrite(port)).toString(), 'AT\r');
      port.write('\r\nOK\r\n');
      await plain;
      await client.close();
    });
  });
}
