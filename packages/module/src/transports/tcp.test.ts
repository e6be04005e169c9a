import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { serveTcp, BUSY_LINE } from './tcp.js';
import { FakeModule, readUntil, includes } from './fake-module.testutil.js';

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  return s;
}

test('tcp: port 0 binds a real port and a client becomes the UART', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    assert.ok(l.address.port > 0);
    assert.equal(l.address.host, '127.0.0.1');
    const s = await connect(l.address.port);
    s.write('AT\r');
    const got = await readUntil(s, includes('OK'));
    assert.equal(got.toString(), '\r\nOK\r\n');
    s.destroy();
  } finally {
    await l.close();
  }
});

test('tcp: a second simultaneous client is refused, the first keeps working', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    const first = await connect(l.address.port);
    first.write('AT\r');
    await readUntil(first, includes('OK'));

    const second = await connect(l.address.port);
    const chunks: Buffer[] = [];
    second.on('data', (c: Buffer) => chunks.push(c));
    await once(second, 'end');
    assert.equal(Buffer.concat(chunks).toString(), BUSY_LINE);
    second.destroy();
    assert.equal(mod.attached, 1);

    first.write('AT\r');
    const got = await readUntil(first, includes('OK'));
    assert.equal(got.toString(), '\r\nOK\r\n');
    first.destroy();
  } finally {
    await l.close();
  }
});

test('tcp: after the client disconnects the next one attaches', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    for (let i = 0; i < 3; i++) {
      const s = await connect(l.address.port);
      s.write('AT\r');
      await readUntil(s, includes('OK'));
      s.end();
      await once(s, 'close');
      // wait for the server side to see the close and detach
      for (let t = 0; t < 100 && mod.detached <= i; t++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(mod.detached, i + 1);
    }
    assert.equal(mod.attached, 3);
  } finally {
    await l.close();
  }
});

test('tcp: a reset connection does not crash the listener', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    const s = await connect(l.address.port);
    s.write('AT\r');
    await readUntil(s, includes('OK'));
    s.resetAndDestroy();
    for (let t = 0; t < 100 && mod.detached < 1; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(mod.detached, 1);
    const s2 = await connect(l.address.port);
    s2.write('AT\r');
    await readUntil(s2, includes('OK'));
    s2.destroy();
  } finally {
    await l.close();
  }
});

test('tcp: close() disconnects the client and detaches', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  const s = await connect(l.address.port);
  s.on('error', () => {});
  s.write('AT\r');
  await readUntil(s, includes('OK'));
  const closed = once(s, 'close');
  await l.close();
  await closed;
  assert.equal(mod.detached, 1);
  await assert.rejects(connect(l.address.port));
});

test('tcp: listen errors reject (port in use)', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  try {
    await assert.rejects(serveTcp(mod, { host: '127.0.0.1', port: l.address.port }), /EADDRINUSE/);
  } finally {
    await l.close();
  }
});

test('tcp: 1,000 immediate reconnects are never refused as busy', { timeout: 120_000 }, async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0 });
  let busy = 0;
  try {
    for (let i = 0; i < 1000; i++) {
      const s = await connect(l.address.port);
      s.write('AT\r');
      const got = await readUntil(s, (all) => includes('OK')(all) || includes('busy')(all));
      if (got.toString().includes('busy')) busy++;
      // Half the clients close politely (FIN after their writes), half at once; neither waits.
      if (i % 2 === 0) s.end();
      else s.destroy();
    }
  } finally {
    await l.close();
  }
  assert.equal(busy, 0);
  assert.equal(mod.attached, 1000);
});

test('tcp: a client arriving while another is attached takes the port when that one ends', async () => {
  const mod = new FakeModule();
  const l = await serveTcp(mod, { host: '127.0.0.1', port: 0, handoverGraceMs: 60_000 });
  try {
    const first = await connect(l.address.port);
    first.write('AT\r');
    await readUntil(first, includes('OK'));
    const second = await connect(l.address.port);
    second.write('AT\r');
    const answer = readUntil(second, includes('OK'));
    assert.equal(mod.attached, 1);
    first.end();
    assert.equal((await answer).toString(), '\r\nOK\r\n');
    assert.equal(mod.attached, 2);
    second.destroy();
  } finally {
    await l.close();
  }
});
