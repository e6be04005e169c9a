import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PipeReceiver } from '../../link/byte-pipe.js';
import { ModuleHarness } from '../../testing/harness.js';
import { SocketError, type SocketEvents, type SocketService } from './socket-service.js';
import { echoServer, freePort, sleep, type TcpPeer } from './peers.testutil.js';

/** The vendor-neutral API, as a Telit or Quectel dialect will use it: no AT text involved. */
describe('SocketService', () => {
  let echo: TcpPeer;
  let h: ModuleHarness;
  let sockets: SocketService;
  const events: Array<[keyof SocketEvents, unknown]> = [];

  before(async () => {
    echo = await echoServer();
    h = await ModuleHarness.create();
    await h.advance(2000);
    sockets = h.module.services.sockets;
    for (const name of ['data', 'closed', 'connect-result', 'incoming'] as const) sockets.on(name, (e: unknown) => events.push([name, e]));
  });
  after(async () => {
    await h.close();
    await echo.close();
  });

  const next = async (name: keyof SocketEvents): Promise<unknown> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = events.findIndex(([n]) => n === name);
      if (i >= 0) return events.splice(i, 1)[0]![1];
      if (Date.now() > deadline) throw new Error(`no ${name} event`);
      await sleep(5);
    }
  };

  it('connects, buffers until read and reports data and close as events', async () => {
    const id = await sockets.create('tcp');
    await sockets.connect(id, '127.0.0.1', echo.port);
    assert.equal(sockets.write(id, Buffer.from('abc')), 3);
    assert.deepEqual(await next('data'), { id, protocol: 'tcp', unread: 3, length: 3, cause: 'arrival' });
    assert.deepEqual(sockets.read(id, 2), Buffer.from('ab'));
    assert.deepEqual(await next('data'), { id, protocol: 'tcp', unread: 1, length: 0, cause: 'partial-read' });
    assert.equal(sockets.info(id).state, 'established');
    (await echo.accepted(echo.connections.length)).end();
    await sleep(50);
    assert.equal(sockets.info(id).state, 'close-wait');
    assert.deepEqual(sockets.read(id, 10), Buffer.from('c'));
    assert.deepEqual(await next('closed'), { id, cause: 'remote' });
    assert.throws(() => sockets.info(id), (e: SocketError) => e.errno === 'EBADF');
  });

  it('reports asynchronous connects and incoming connections', async () => {
    const a = await sockets.create('tcp');
    sockets.startConnect(a, '127.0.0.1', await freePort());
    const result = (await next('connect-result')) as { id: number; error?: SocketError };
    assert.equal(result.id, a);
    assert.equal(result.error?.errno, 'ECONNREFUSED');
    assert.equal(sockets.lastError, 'ECONNREFUSED');
    const port = await freePort();
    await sockets.listen(a, port);
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    const incoming = (await next('incoming')) as { id: number; listener: number; remote: { port: number }; local: { port: number } };
    assert.equal(incoming.listener, a);
    assert.equal(incoming.local.port, port);
    assert.equal(incoming.remote.port, client.localPort);
    client.destroy();
    assert.deepEqual(await next('closed'), { id: incoming.id, cause: 'remote' });
    await sockets.close(a);
  });

  it('is a DataPipe in online mode: buffered data first, then both ways; the peer closing closes the sink', async () => {
    const id = await sockets.create('tcp');
    await sockets.connect(id, '127.0.0.1', echo.port);
    sockets.write(id, Buffer.from('early'));
    await next('data');
    const pipe = sockets.openPipe(id);
    const got: Buffer[] = [];
    let closed = false;
    const sink: PipeReceiver = { data: (b) => got.push(b), close: () => (closed = true) };
    pipe.attach(sink);
    assert.equal(Buffer.concat(got).toString(), 'early');
    pipe.write(Buffer.from([0, 255]));
    const deadline = Date.now() + 5000;
    while (Buffer.concat(got).length < 7 && Date.now() < deadline) await sleep(5);
    assert.deepEqual(Buffer.concat(got).subarray(5), Buffer.from([0, 255]));
    assert.equal(events.filter(([n]) => n === 'data').length, 0);
    echo.connections[echo.connections.length - 1]!.end();
    while (!closed && Date.now() < deadline) await sleep(5);
    assert.ok(closed);
    assert.deepEqual(await next('closed'), { id, cause: 'remote' });
  });

  it('closes everything silently on closeAll, leaving no handle open', async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => /TCP|UDP/.test(r)).length;
    const baseline = resources();
    const port = await freePort();
    const a = await sockets.create('tcp');
    await sockets.connect(a, '127.0.0.1', echo.port);
    const b = await sockets.create('tcp');
    await sockets.listen(b, port);
    const c = await sockets.create('udp', await freePort());
    sockets.setSecure(await sockets.create('tcp'), true, 0);
    assert.ok(resources() > baseline);
    assert.equal(c, 2);
    sockets.closeAll();
    await sleep(50);
    assert.equal(events.length, 0);
    // Other handles of the process may close meanwhile; none of ours may stay.
    assert.ok(resources() <= baseline, `${resources()} TCP/UDP handles, ${baseline} before`);
    // The listening port is free again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
});
