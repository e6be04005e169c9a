import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { C2cDecoder, encodeC2cFrame, encryptBody, ManualClock, sealFrames, type C2cKeys, type C2cVersion } from '@modemlab/at';
import { pipePair, type BytePipe } from './byte-pipe.js';
import { C2cLayer } from './c2c-layer.js';
import { LinkStack, type LayerHost, type LinkTop } from './link-stack.js';

class RecordingTop implements LinkTop {
  pipe?: BytePipe;
  got: Buffer[] = [];
  bind(pipe: BytePipe): void {
    this.pipe = pipe;
    pipe.attach({ data: (b) => void this.got.push(Buffer.from(b)), close: () => {} });
  }
  takeUnread(): Buffer | undefined {
    return undefined;
  }
  text(): string {
    const s = Buffer.concat(this.got).toString('latin1');
    this.got = [];
    return s;
  }
}

const keysOf = (version: C2cVersion): C2cKeys => ({
  version,
  teSecret: randomBytes(16),
  encKey: randomBytes(16),
  ...(version === 2 ? { hmacKey: randomBytes(16) } : {}),
});

function setup(version: C2cVersion) {
  const keys = keysOf(version);
  const [host, port] = pipePair('host', 'uart');
  const wire: Buffer[] = [];
  host.attach({ data: (b) => void wire.push(Buffer.from(b)), close: () => {} });
  const logs: string[] = [];
  const layerHost: LayerHost = { clock: new ManualClock(), openTerminal: () => {}, log: (m) => logs.push(m) };
  const stack = new LinkStack(port, layerHost);
  const top = new RecordingTop();
  stack.mount(top);
  let closed = 0;
  const layer = new C2cLayer(keys, { onClose: () => closed++ });
  stack.push(layer);
  const fromModule = (): string => {
    const plain: Buffer[] = [];
    new C2cDecoder(keys, (p) => plain.push(p)).push(Buffer.concat(wire.splice(0)));
    return Buffer.concat(plain).toString('latin1');
  };
  return { keys, host, stack, top, layer, logs, wire, fromModule, closed: () => closed };
}

for (const version of [1, 2] as const) {
  describe(`C2cLayer V${version}`, () => {
    it('decrypts host frames for the terminal and frames what the terminal writes', () => {
      const { keys, host, top, fromModule } = setup(version);
      host.write(sealFrames(keys, Buffer.from('AT+CGMI\r'), 255));
      assert.equal(top.text(), 'AT+CGMI\r');
      top.pipe!.write(Buffer.from('\r\nu-blox\r\n\r\nOK\r\n'));
      assert.equal(fromModule(), '\r\nu-blox\r\n\r\nOK\r\n');
    });

    it('splits a long write into frames of at most 1040 plaintext bytes', () => {
      const { top, wire, fromModule } = setup(version);
      const text = 'x'.repeat(2500);
      top.pipe!.write(Buffer.from(text));
      const frames = Buffer.concat(wire);
      let count = 0;
      for (let at = 0; at < frames.length; count++) at += frames.readUInt16LE(at + 1) + 6;
      assert.equal(count, 3);
      assert.equal(fromModule(), text);
    });

    it('drops bad, wrong-key and oversized host frames, counts and logs them', () => {
      const { keys, host, top, layer, logs } = setup(version);
      const tampered = sealFrames(keys, Buffer.from('AT\r'), 255);
      tampered[8]! ^= 1;
      const wrong = encodeC2cFrame(encryptBody(keysOf(version), Buffer.from('AT\r')));
      const oversize = sealFrames(keys, Buffer.alloc(300, 0x41), 1040);
      host.write(Buffer.concat([tampered, wrong, oversize, Buffer.from('AT\r'), sealFrames(keys, Buffer.from('ATI\r'), 255)]));
      assert.equal(top.text(), 'ATI\r');
      assert.equal(layer.stats.frames, 1);
      assert.ok(layer.stats.dropped.fcs >= 1 && layer.stats.dropped.mac >= 1 && layer.stats.dropped.oversize >= 1, JSON.stringify(layer.stats));
      assert.ok(logs.some((l) => l.includes('dropped a frame')));
    });

    it('pops back to plain bytes; end() removes it after output already written', async () => {
      const { host, stack, top, closed, layer, wire } = setup(version);
      stack.pop();
      assert.equal(closed(), 1);
      host.write(Buffer.from('AT\r'));
      assert.equal(top.text(), 'AT\r');
      top.pipe!.write(Buffer.from('OK'));
      assert.equal(Buffer.concat(wire.splice(0)).toString(), 'OK');
      layer.end(); // already off: nothing happens
      await new Promise((r) => setImmediate(r));
      assert.equal(closed(), 1);
    });

    it('ends itself (power-off) on the next turn, so this turn’s output still leaves framed', async () => {
      const { stack, top, layer, fromModule, closed } = setup(version);
      layer.end();
      top.pipe!.write(Buffer.from('\r\nOK\r\n'));
      assert.deepEqual(stack.layers, ['c2c']);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(stack.layers, []);
      assert.equal(closed(), 1);
      assert.equal(fromModule(), '\r\nOK\r\n');
    });
  });
}
