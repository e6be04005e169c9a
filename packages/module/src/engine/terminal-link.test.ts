import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pipePair } from '../link/byte-pipe.js';
import { XorLayer, xor } from '../link/test-layers.testutil.js';
import { ModuleHarness, settle } from '../testing/harness.js';
import { connectInProcess } from '../transports/in-process.js';
import { readUntil } from '../transports/fake-module.testutil.js';
import { cme } from './failure.js';

const KEY = 0x55;

describe('terminal on a link stack', () => {
  let h: ModuleHarness;
  let lastLayer: XorLayer | undefined;

  before(async () => {
    h = await ModuleHarness.create();
    h.module.registry.add({
      name: '+XPUSH',
      action(ctx) {
        lastLayer = new XorLayer(KEY);
        ctx.link.push(lastLayer);
        assert.deepEqual(ctx.link.layers, [], 'not before the final result code');
      },
    });
    h.module.registry.add({
      name: '+XPUSHFAIL',
      action(ctx) {
        ctx.link.push(new XorLayer(KEY));
        throw cme(3);
      },
    });
    h.module.registry.add({
      name: '+XPOP',
      action(ctx) {
        ctx.link.pop();
      },
    });
    h.module.registry.add({
      name: '+XLAYERS',
      action(ctx) {
        ctx.info(`+XLAYERS: ${ctx.link.layers.join(',')}`);
      },
    });
  });
  after(() => h.close());

  it('a pushed layer takes effect after OK: OK in clear, the next byte through the layer', async () => {
    const host = connectInProcess(h.module);
    try {
      const enc = (s: string) => xor(Buffer.from(s, 'latin1'), KEY);
      // The next command follows in the same write: it is already meant for the layer.
      const inClear = 'ATE0\r\r\nOK\r\n\r\nOK\r\n';
      const both = readUntil(host, (all) => all.length >= inClear.length + '\r\n+XLAYERS: xor\r\n\r\nOK\r\n'.length);
      host.write(Buffer.concat([Buffer.from('ATE0\r'), Buffer.from('AT+XPUSH\r'), enc('AT+XLAYERS\r')]));
      const got = await both;
      assert.equal(got.subarray(0, inClear.length).toString('latin1'), inClear, 'ATE0 and +XPUSH answered in clear');
      assert.equal(xor(got.subarray(inClear.length), KEY).toString('latin1'), '\r\n+XLAYERS: xor\r\n\r\nOK\r\n');
      // Popping answers through the layer (the command came through it), then the link is clear.
      const popped = readUntil(host, (all) => all.length >= 6);
      host.write(enc('AT+XPOP\r'));
      assert.equal(xor(await popped, KEY).toString('latin1'), '\r\nOK\r\n');
      assert.equal(lastLayer?.closed, 1);
      const clearAgain = readUntil(host, (all) => all.toString('latin1').endsWith('OK\r\n'));
      host.write('AT+XLAYERS\r');
      assert.equal((await clearAgain).toString('latin1'), '\r\n+XLAYERS: \r\n\r\nOK\r\n');
    } finally {
      host.destroy();
    }
  });

  it('a command that fails pushes nothing', async () => {
    assert.equal(await h.send('AT+XPUSHFAIL\r'), 'AT+XPUSHFAIL\r\r\nERROR\r\n');
    assert.equal(await h.send('AT+XLAYERS\r'), 'AT+XLAYERS\r\r\n+XLAYERS: \r\n\r\nOK\r\n');
  });

  it('a layer may open more terminals on pipes: each is a full terminal that gets URCs, closed with its pipe', async () => {
    const [hostEnd, channel] = pipePair('host', 'channel');
    const out: Buffer[] = [];
    hostEnd.attach({ data: (b) => void out.push(Buffer.from(b)), close: () => {} });
    const t2 = h.module.openTerminal(channel);
    hostEnd.write(Buffer.from('ATE0\r'));
    await settle();
    hostEnd.write(Buffer.from('AT+XLAYERS\r'));
    await settle();
    h.module.urc('+XURC: 1');
    await settle();
    assert.equal(Buffer.concat(out).toString('latin1'), 'ATE0\r\r\nOK\r\n\r\n+XLAYERS: \r\n\r\nOK\r\n\r\n+XURC: 1\r\n');
    h.take();
    hostEnd.close();
    await settle();
    h.module.urc('+XURC: 2');
    await settle();
    assert.equal(h.take(), '\r\n+XURC: 2\r\n', 'the first terminal still gets URCs');
    assert.ok(t2.link.isClosed);
  });
});
