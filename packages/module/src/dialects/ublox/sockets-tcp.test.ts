import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closingServer, echoServer, freePort, resetServer, sleep, stallServer, type TcpPeer } from '../../services/sockets/peers.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { atThrough, socketHarnesses } from './socket-harness.testutil.js';
import { answer, at, atUntil, cmeError, OK, urc } from './ublox.testutil.js';

const ublox = socketHarnesses();

/** Polls +USORD=<s>,0 until `n` bytes wait (echoes may come back in several segments). */
async function unreadReaches(h: ModuleHarness, id: number, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const out = await at(h, `AT+USORD=${id},0`);
    if (out === answer(`+USORD: ${id},${n}`)) return;
    if (Date.now() > deadline) throw new Error(`unread never reached ${n}: ${JSON.stringify(out)}`);
    await sleep(10);
  }
}

async function connected(h: ModuleHarness, port: number, id = 0): Promise<void> {
  assert.equal(await at(h, 'AT+USOCR=6'), answer(`+USOCR: ${id}`));
  assert.equal(await atUntil(h, `AT+USOCO=${id},"127.0.0.1",${port}`, OK), OK);
}

describe('u-blox TCP sockets', () => {
  let echo: TcpPeer;
  before(async () => {
    echo = await echoServer();
  });
  after(() => echo.close());

  it('echoes string, hex and binary writes and announces data with +UUSORD', async () => {
    const h = await ublox();
    await connected(h, echo.port);
    assert.equal(await atThrough(h, 'AT+USOWR=0,5,"hello"', '+UUSORD: 0,5'), answer('+USOWR: 0,5') + urc('+UUSORD: 0,5'));
    assert.equal(await at(h, 'AT+USORD=0,0'), answer('+USORD: 0,5'));
    // A partial read announces what is left.
    assert.equal(await at(h, 'AT+USORD=0,3'), answer('+USORD: 0,3,"hel"') + urc('+UUSORD: 0,2'));
    assert.equal(await at(h, 'AT+USORD=0,100'), answer('+USORD: 0,2,"lo"'));
    assert.equal(await at(h, 'AT+USORD=0,100'), answer('+USORD: 0,0,""'));

    // Data reaching a buffer that is not empty is not announced again.
    assert.equal(await atThrough(h, 'AT+USOWR=0,2,"ab"', '+UUSORD: 0,2'), answer('+USOWR: 0,2') + urc('+UUSORD: 0,2'));
    assert.equal(await at(h, 'AT+USOWR=0,2,"cd"'), answer('+USOWR: 0,2'));
    await unreadReaches(h, 0, 4);
    assert.equal(await at(h, 'AT+USORD=0,4'), answer('+USORD: 0,4,"abcd"'));

    // Hex mode for the base syntax, both ways.
    assert.equal(await at(h, 'AT+UDCONF=1,1'), OK);
    assert.equal(await atThrough(h, 'AT+USOWR=0,3,"00ff41"', '+UUSORD: 0,3'), answer('+USOWR: 0,3') + urc('+UUSORD: 0,3'));
    assert.equal(await at(h, 'AT+USORD=0,3'), answer('+USORD: 0,3,"00FF41"'));

    // All 256 byte values through the '@' binary form (not affected by hex mode), read back in hex.
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await at(h, 'AT+USOWR=0,256'), '\r\n@');
    h.terminal.input(all);
    assert.ok((await h.waitFor('+UUSORD: 0,')).startsWith(answer('+USOWR: 0,256')));
    await unreadReaches(h, 0, 256);
    assert.equal(await at(h, 'AT+USORD=0,256'), answer(`+USORD: 0,256,"${all.toString('hex').toUpperCase()}"`));
    assert.equal(await at(h, 'AT+UDCONF=1,0'), OK);

    // The raw bytes in string mode (what the SDK reads by count).
    assert.equal(await at(h, 'AT+USOWR=0,4'), '\r\n@');
    h.terminal.input(Buffer.from([0x22, 0x0d, 0x0a, 0x00]));
    assert.ok((await h.waitFor('+UUSORD: 0,')).startsWith(answer('+USOWR: 0,4')));
    await unreadReaches(h, 0, 4);
    assert.equal(await at(h, 'AT+USORD=0,4'), answer('+USORD: 0,4,""\r\n\0"'));

    // Control queries and the data counters: plain TCP moves exactly the payload.
    const moved = 5 + 2 + 2 + 3 + 256 + 4;
    assert.equal(await at(h, 'AT+USOCTL=0,0'), answer('+USOCTL: 0,0,6'));
    assert.equal(await at(h, 'AT+USOCTL=0,1'), answer('+USOCTL: 0,1,0'));
    assert.equal(await at(h, 'AT+USOCTL=0,2'), answer(`+USOCTL: 0,2,${moved}`));
    assert.equal(await at(h, 'AT+USOCTL=0,3'), answer(`+USOCTL: 0,3,${moved}`));
    assert.equal(await at(h, 'AT+USOCTL=0,4'), answer(`+USOCTL: 0,4,"127.0.0.1",${echo.port}`));
    assert.equal(await at(h, 'AT+USOCTL=0,10'), answer('+USOCTL: 0,10,4'));
    assert.equal(await at(h, 'AT+USOCTL=0,11'), answer('+USOCTL: 0,11,0'));
    assert.equal(await at(h, 'AT+UGCNTRD'), answer(`+UGCNTRD: 1,${moved},${moved},${moved},${moved}`));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 0'));

    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCTL=0,0'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 9'));
    await h.close();
  });

  it('takes the documented maximum writes on one line: 1024 bytes as a string, 512 in hex', async () => {
    const h = await ublox();
    await connected(h, echo.port);
    const text = 'x'.repeat(1024);
    assert.equal(await atThrough(h, `AT+USOWR=0,1024,"${text}"`, '+UUSORD: 0,1024'), answer('+USOWR: 0,1024') + urc('+UUSORD: 0,1024'));
    await unreadReaches(h, 0, 1024);
    assert.equal(await at(h, 'AT+USORD=0,1024'), answer(`+USORD: 0,1024,"${text}"`));
    assert.equal(await at(h, 'AT+UDCONF=1,1'), OK);
    const hex = 'A5'.repeat(512);
    assert.equal(await atThrough(h, `AT+USOWR=0,512,"${hex}"`, '+UUSORD: 0,512'), answer('+USOWR: 0,512') + urc('+UUSORD: 0,512'));
    await unreadReaches(h, 0, 512);
    assert.equal(await at(h, 'AT+USORD=0,512'), answer(`+USORD: 0,512,"${hex}"`));
    await h.close();
  });

  it('listens and announces incoming connections with +UUSOLI', async () => {
    const h = await ublox();
    const port = await freePort();
    const address = h.module.services.pdp.context(1)!.ipv4!;
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atUntil(h, `AT+USOLI=0,${port}`, OK), OK);
    assert.equal(await at(h, 'AT+USOCTL=0,10'), answer('+USOCTL: 0,10,1'));
    const { connect } = await import('node:net');
    const client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    client.write('hey');
    const got = await h.waitFor('+UUSORD: 1,3\r\n');
    assert.equal(got, urc(`+UUSOLI: 1,"127.0.0.1",${client.localPort},0,"${address}",${port}`, '+UUSORD: 1,3'));
    assert.equal(await at(h, 'AT+USORD=1,3'), answer('+USORD: 1,3,"hey"'));
    const reply = new Promise<string>((resolve) => client.once('data', (b) => resolve(b.toString())));
    assert.equal(await at(h, 'AT+USOWR=1,3,"yo!"'), answer('+USOWR: 1,3'));
    assert.equal(await reply, 'yo!');
    client.end();
    assert.equal(await h.waitFor('+UUSOCL: 1\r\n'), urc('+UUSOCL: 1'));
    assert.equal(await atUntil(h, 'AT+USOCL=0', OK), OK);
    await h.close();
  });

  it('keeps data after the peer closes and sends +UUSOCL once it is read', async () => {
    const peer = await closingServer('bye');
    const h = await ublox({});
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atThrough(h, `AT+USOCO=0,"127.0.0.1",${peer.port}`, '+UUSORD: 0,3'), OK + urc('+UUSORD: 0,3'));
    const deadline = Date.now() + 5000;
    while ((await at(h, 'AT+USOCTL=0,10')) !== answer('+USOCTL: 0,10,7')) {
      if (Date.now() > deadline) throw new Error('never saw the FIN');
      await sleep(10);
    }
    assert.equal(await at(h, 'AT+USOWR=0,1,"x"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 32'));
    assert.equal(await at(h, 'AT+USORD=0,2'), answer('+USORD: 0,2,"by"') + urc('+UUSORD: 0,1'));
    assert.equal(await at(h, 'AT+USORD=0,2'), answer('+USORD: 0,1,"e"') + urc('+UUSOCL: 0'));
    // The id is free again.
    assert.equal(await at(h, 'AT+USORD=0,2'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    await h.close();
    await peer.close();
  });

  it('reports a reset by the peer (104) and a refused connect (111)', async () => {
    const peer = await resetServer();
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    await connected(h, peer.port);
    assert.equal(await atThrough(h, 'AT+USOWR=0,1,"x"', '+UUSOCL: 0'), answer('+USOWR: 0,1') + urc('+UUSOCL: 0'));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 104'));
    await peer.close();

    const closed = await freePort();
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${closed}`, 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 111'));
    assert.equal(await at(h, 'AT+USOCTL=0,1'), answer('+USOCTL: 0,1,111'));
    // The socket survives a failed connect and can try again, here asynchronously.
    assert.equal(await at(h, 'AT+USOCTL=0,10'), answer('+USOCTL: 0,10,0'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${closed},1`, '+UUSOCO'), OK + urc('+UUSOCO: 0,111'));
    assert.equal(await atUntil(h, `AT+USOCO=0,"127.0.0.1",${echo.port},1`, '+UUSOCO'), OK + urc('+UUSOCO: 0,0'));
    assert.equal(await at(h, 'AT+USOCTL=0,10'), answer('+USOCTL: 0,10,4'));
    assert.equal(await at(h, `AT+USOCO=0,"127.0.0.1",${echo.port}`), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 106'));
    // Unknown names fail in the resolver: 163.
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 1'));
    assert.equal(await atUntil(h, 'AT+USOCO=1,"nonexistent.invalid",80', 'ERROR'), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 163'));
    await h.close();
  });

  it('refuses writes with EWOULDBLOCK when a stalled peer fills the queue, and lingers on close', async () => {
    const peer = await stallServer();
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    await connected(h, peer.port);
    const sockets = h.module.services.sockets;
    const chunk = Buffer.alloc(8192, 0x55);
    let accepted = 0;
    let partial = false;
    for (let i = 0; i < 20_000; i++) {
      let n: number;
      try {
        n = sockets.write(0, chunk);
      } catch {
        break;
      }
      accepted += n;
      if (n < chunk.length) partial = true;
      if (i % 64 === 63) await sleep(1);
    }
    assert.ok(accepted > 0);
    const queued = sockets.info(0).unsent;
    assert.ok(queued > 0 && queued <= h.module.model.sockets.txBuffer, `queued ${queued}`);
    assert.ok(partial || queued === h.module.model.sockets.txBuffer);
    assert.equal(await at(h, 'AT+USOWR=0,1,"x"'), cmeError(3));
    assert.equal(await at(h, 'AT+USOCTL=0,1'), answer('+USOCTL: 0,1,11'));
    assert.equal(await at(h, 'AT+USOCTL=0,11'), answer(`+USOCTL: 0,11,${queued}`));
    // The queued data never leaves: the close waits for the linger time, then gives up.
    h.terminal.input(Buffer.from('AT+USOCL=0\r'));
    await sleep(20);
    assert.equal(h.take(), '');
    assert.equal(await h.advance(h.module.model.sockets.closeTimeoutMs), OK);
    await h.close();
    await peer.close();
  });

  it('times out a connect whose handshake never completes', async () => {
    const peer = await stallServer();
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    h.terminal.input(Buffer.from(`AT+USOCO=0,"127.0.0.1",${peer.port}\r`));
    await peer.accepted();
    await sleep(20);
    assert.equal(h.take(), '');
    assert.equal(await h.advance(h.module.model.sockets.connectTimeoutMs), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 110'));
    await h.close();
    await peer.close();
  });

  it('allows one asynchronous connect at a time; a second +USOCO on its socket closes it', async () => {
    const peer = await stallServer();
    const h = await ublox();
    await at(h, 'AT+CMEE=1');
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 0'));
    assert.equal(await at(h, 'AT+USOCR=6'), answer('+USOCR: 1'));
    assert.equal(await at(h, 'AT+USOSEC=0,1,0'), OK);
    assert.equal(await at(h, `AT+USOCO=0,"127.0.0.1",${peer.port},1`), OK);
    await peer.accepted();
    assert.equal(await at(h, `AT+USOCO=1,"127.0.0.1",${echo.port}`), cmeError(3));
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 115'));
    assert.equal(await at(h, `AT+USOCO=0,"127.0.0.1",${peer.port},1`), cmeError(3) + urc('+UUSOCL: 0'));
    assert.equal(await atUntil(h, `AT+USOCO=1,"127.0.0.1",${echo.port}`, OK), OK);
    assert.equal(await h.advance(h.module.model.sockets.connectTimeoutMs), '');
    await h.close();
    await peer.close();
  });

  it('closes sockets when their context goes down', async () => {
    const h = await ublox();
    await connected(h, echo.port);
    assert.equal(await atThrough(h, 'AT+USOWR=0,2,"hi"', '+UUSORD: 0,2'), answer('+USOWR: 0,2') + urc('+UUSORD: 0,2'));
    assert.equal(await at(h, 'AT+CGACT=0,1'), OK);
    assert.equal(await at(h, 'AT+USOER'), answer('+USOER: 100'));
    assert.equal(await at(h, 'AT+USORD=0,2'), answer('+USORD: 0,2,"hi"') + urc('+UUSOCL: 0'));
    await h.close();
  });
});
