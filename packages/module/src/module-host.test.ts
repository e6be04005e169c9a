import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ModuleHost } from './module-host.js';
import { ModuleHarness, settle } from './testing/harness.js';

describe('ModuleHost', () => {
  let h: ModuleHarness;
  let host: ModuleHost;
  before(async () => {
    h = await ModuleHarness.create();
    host = h.module;
  });
  after(() => h.close());

  it('state(): one value per key until a power-off drops it', async () => {
    const first = host.state('test.counter', () => ({ n: 0 }));
    first.n++;
    assert.equal(host.state('test.counter', () => ({ n: 100 })), first);
    host.reboot();
    await h.advance(h.module.model.timing.rebootMs);
    const afterReboot = host.state('test.counter', () => ({ n: 0 }));
    assert.notEqual(afterReboot, first);
    assert.equal(afterReboot.n, 0);
  });

  it('urc(source, to) reaches only the terminal of that session; without `to` every terminal', async () => {
    const other: Buffer[] = [];
    const second = h.module.openTerminal((b) => void other.push(Buffer.from(b)));
    try {
      h.take();
      host.urc('+XONLY: 2', second.session);
      host.urc('+XALL: 1');
      await settle();
      assert.equal(h.take(), '\r\n+XALL: 1\r\n');
      assert.equal(Buffer.concat(other).toString('latin1'), '\r\n+XONLY: 2\r\n\r\n+XALL: 1\r\n');
    } finally {
      h.module.closeTerminal(second);
    }
  });
});
