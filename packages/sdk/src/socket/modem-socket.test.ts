import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ModemSocket, type SocketBackend } from './modem-socket.js';

/** A backend that records writes and options; nothing arrives unless pushed. */
function fakeBackend() {
  const writes: Buffer[] = [];
  const options: Array<[string, boolean]> = [];
  let closes = 0;
  const backend: SocketBackend = {
    maxWrite: 4,
    maxRead: 16,
    write: async (data) => void writes.push(Buffer.from(data)),
    read: async () => Buffer.alloc(0),
    close: async () => void closes++,
    onAvailable: () => {},
    onRemoteClose: () => {},
    dispose: () => {},
    setOption: async (option, value) => void options.push([option, value]),
  };
  return { backend, writes, options, closes: () => closes };
}

describe('ModemSocket', () => {
  it('a pending socket holds writes and options until the driver says it is established', async () => {
    const { backend, writes, options } = fakeBackend();
    const socket = new ModemSocket();
    assert.equal(socket.connecting, true);
    assert.deepEqual(socket.address(), {});
    socket.write('hello');
    socket.setNoDelay();
    socket.setKeepAlive(true);
    socket.attach(backend);
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 0, 'nothing sent before the connection exists');
    const connected = once(socket, 'connect');
    socket.established({ remoteAddress: '::1', remotePort: 443, localAddress: '10.0.0.2' });
    await connected;
    await new Promise<void>((r) => socket.write('', () => r()));
    assert.equal(Buffer.concat(writes).toString(), 'hello');
    // Cut at maxWrite.
    assert.deepEqual(writes.map((w) => w.length), [4, 1]);
    assert.equal(socket.remoteFamily, 'IPv6');
    assert.deepEqual(socket.address(), { address: '10.0.0.2', port: 0, family: 'IPv4' });
    assert.deepEqual(options, [['nodelay', true], ['keepalive', true]]);
    socket.destroy();
  });

  it('setTimeout emits timeout on an idle socket and leaves it open; the callback is a listener', async () => {
    const { backend } = fakeBackend();
    const socket = new ModemSocket(backend);
    let called = 0;
    // The idle timer is unref'd, as net.Socket's: something else must keep this test's loop alive.
    const keepAlive = setTimeout(() => {}, 60_000);
    socket.setTimeout(20, () => called++);
    await once(socket, 'timeout');
    clearTimeout(keepAlive);
    assert.equal(called, 1);
    assert.equal(socket.destroyed, false);
    assert.equal(socket.readyState, 'open');
    socket.destroy();
  });

  it('a pending socket destroyed before connecting closes nothing on the module', async () => {
    const { backend, closes } = fakeBackend();
    const socket = new ModemSocket();
    socket.attach(backend);
    socket.detach();
    socket.destroy();
    await once(socket, 'close');
    assert.equal(closes(), 0);
  });
});
