import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { AtClient } from '../at-client.js';
import { duplexPair } from '../testing/scripted-module.js';
import { openTransport } from './open.js';
import { parseTcpUrl } from './tcp.js';

describe('transports', () => {
  it('parses tcp:// URLs', () => {
    assert.deepEqual(parseTcpUrl('tcp://127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
    assert.deepEqual(parseTcpUrl('tcp://[::1]:7'), { host: '::1', port: 7 });
    assert.throws(() => parseTcpUrl('tcp://host'), TypeError);
    assert.throws(() => parseTcpUrl('http://host:1'), TypeError);
  });

  it('runs an AtClient over a loopback TCP connection', async () => {
    const server = net.createServer((socket) => {
      socket.on('data', (d) => {
        if (d.toString().includes('AT+CGMI\r')) socket.write('\r\nu-blox\r\n\r\nOK\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const stream = await openTransport({ url: `tcp://127.0.0.1:${port}` });
      const client = new AtClient(stream);
      assert.deepEqual((await client.send('AT+CGMI')).lines, ['u-blox']);
      await client.close();
    } finally {
      server.close();
    }
  });

  it('rejects a refused TCP connection', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(openTransport({ url: `tcp://127.0.0.1:${port}` }), /ECONNREFUSED/);
  });

  it('accepts a Duplex as is and rejects unknown URLs', async () => {
    const [host] = duplexPair();
    assert.equal(await openTransport({ stream: host }), host);
    await assert.rejects(openTransport({ url: 'ftp://x:1' }), TypeError);
  });

  it('rejects a serial port that does not exist', async () => {
    await assert.rejects(openTransport({ path: '/dev/modemlab-no-such-port' }));
  });
});
