import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@modemlab/at';
import { settle } from '../../testing/harness.js';
import { pkiFile, sharedPki, startPeer, type Peer } from '../../testing/tls-peers.js';
import { at, storePem, telitModule, untilFinal } from './telit.testutil.js';

async function withPeer<T>(peer: Promise<Peer>, fn: (p: Peer) => Promise<T>): Promise<T> {
  const p = await peer;
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

const dial = (port: number, closure: number, mode: number) => `AT#SSLD=1,${port},"127.0.0.1",${closure},${mode}\r`;
const waitUntil = async (cond: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Telit #SSL: mutual TLS with security data stored by #SSLSECDATA', () => {
  it('GE910: PEM certificate, CA and key; the server sees an authorized client', async () => {
    await withPeer(startPeer('echo', ['tls1', 'mutual']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, 'AT#SSLSECCFG=1,3,2\r'), '\r\nOK\r\n');
        // Nothing stored yet: refused before any connection is tried.
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\n+CME ERROR: 837\r\n');
        assert.equal(peer.connections.length, 0);
        assert.equal(await storePem(h, 0, pkiFile('client.pem')), '\r\nOK\r\n');
        assert.equal(await storePem(h, 1, pkiFile('ca.pem')), '\r\nOK\r\n');
        assert.equal(await storePem(h, 2, pkiFile('client.key')), '\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        await waitUntil(() => peer.connections.length === 1, 'the server saw the connection');
        assert.deepEqual(peer.connections, [{ resumed: false, authorized: true }]);
        assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,2,3\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n> ');
        assert.equal(await at(h, 'ping\x1a'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLRECV=1,100\r'), '\r\n#SSLRECV: 4\r\nping\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        // The CA certificate reads back as PEM; the private key never does.
        const read = await at(h, 'AT#SSLSECDATA=1,2,1\r');
        assert.equal(read, `\r\n#SSLSECDATA: 1,1\r\n${sharedPki().ca.cert.trimEnd().replace(/\n/g, '\r\n')}\r\n\r\nOK\r\n`);
        assert.equal(await at(h, 'AT#SSLSECDATA=1,2,2\r'), '\r\n+CME ERROR: 4\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('HE910: DER certificates and a PKCS#1 DER key (exactly <size> bytes, no Ctrl-Z)', async () => {
    await withPeer(startPeer('echo', ['tls1', 'mutual']), async (peer) => {
      const h = await telitModule('he910');
      try {
        assert.equal(await at(h, 'AT#SSLSECCFG=1,3,2,0\r'), '\r\nOK\r\n');
        for (const [type, file] of [[0, 'client.der'], [1, 'ca.der'], [2, 'client-rsa.der']] as const) {
          const data = pkiFile(file);
          assert.equal(await at(h, `AT#SSLSECDATA=1,1,${type},${data.length}\r`), '\r\n> ');
          assert.equal(await at(h, data), '\r\nOK\r\n', file);
        }
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        await waitUntil(() => peer.connections.length === 1, 'the server saw the connection');
        assert.deepEqual(peer.connections, [{ resumed: false, authorized: true }]);
        // HE910's suite 3 is TLS_RSA_WITH_AES_128_CBC_SHA.
        assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,2,3\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('a server whose certificate the stored CA did not issue fails the handshake: 839', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        await at(h, 'AT#SSLSECCFG=1,0,1\r');
        assert.equal(await storePem(h, 1, sharedPki().otherCa.cert), '\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\n+CME ERROR: 839\r\n');
        assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,1\r\n\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });
});

describe('Telit #SSL: online mode', () => {
  it('moves 1 MB each way through #SSLD and keeps every byte', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, 'AT#SSLCFG=1,1,1500,90,100,50\r'), '\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 0)), '\r\nCONNECT\r\n');
        const data = randomBytes(1 << 20);
        h.terminal.input(data);
        // The last partial packet leaves after <txTo>.
        await settle();
        h.clock.advance(5000);
        await waitUntil(() => h.output.length >= data.length, `1 MB echoed (got ${h.output.length})`, 60_000);
        assert.equal(peer.received, data.length);
        assert.ok(Buffer.from(h.take(), 'latin1').equals(data), 'the echo is the data, byte for byte');
        h.clock.advance(1000);
        h.terminal.input(Buffer.from('+++'));
        await settle();
        h.clock.advance(1000);
        assert.equal(await untilFinal(h), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('host bytes leave when <pktSize> is reached or after <txTo>', async () => {
    const got: string[] = [];
    await withPeer(startPeer('silent', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        await at(h, 'AT#SSLCFG=1,1,10,90,100,20\r');
        assert.equal(await at(h, dial(peer.port, 0, 0)), '\r\nCONNECT\r\n');
        peer.onData = (d) => got.push(d.toString('latin1'));
        h.terminal.input(Buffer.from('abc'));
        await new Promise((r) => setTimeout(r, 150));
        assert.deepEqual(got, [], 'held until the packet is full or txTo passes');
        h.terminal.input(Buffer.from('defghijk'));
        await waitUntil(() => got.join('') === 'abcdefghij', 'a full 10-byte packet');
        h.clock.advance(1999);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(got.join(''), 'abcdefghij');
        h.clock.advance(1);
        await waitUntil(() => got.join('') === 'abcdefghijk', 'the rest after txTo (2 s)');
      } finally {
        await h.close();
      }
    });
  });

  it('<maxTo> without traffic closes the session: NO CARRIER, and the server sees the close', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        await at(h, 'AT#SSLCFG=1,1,300,5,100,1\r');
        assert.equal(await at(h, dial(peer.port, 0, 0)), '\r\nCONNECT\r\n');
        h.clock.advance(4000);
        await settle();
        assert.equal(h.take(), '');
        h.terminal.input(Buffer.from('x'));
        await settle();
        h.clock.advance(100);
        // The echo came back: traffic again, the timer restarts.
        await waitUntil(() => h.output.toString('latin1') === 'x', 'echo');
        h.take();
        h.clock.advance(4999);
        await settle();
        assert.equal(h.take(), '');
        h.clock.advance(1);
        assert.equal(await untilFinal(h), '\r\nNO CARRIER\r\n');
        await waitUntil(() => peer.closed === 1, 'server sees the close');
        assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,1\r\n\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('remote close in online mode: NO CARRIER; #SSLO then refuses', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, dial(peer.port, 0, 0)), '\r\nCONNECT\r\n');
        peer.endAll();
        assert.equal(await untilFinal(h), '\r\nNO CARRIER\r\n');
        await settle();
        assert.equal(h.take(), '', 'NO CARRIER once');
        assert.equal(await at(h, 'AT#SSLO=1\r'), '\r\n+CME ERROR: 840\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLO=1\r'), '\r\n+CME ERROR: 833\r\n');
      } finally {
        await h.close();
      }
    });
  });
});

describe('Telit #SSL: command mode', () => {
  it('#SSLSENDEXT sends exactly <bytestosend> bytes, Ctrl-Z and ESC included; SSLSRING announces data', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        await at(h, 'AT#SSLCFG=1,1,300,90,100,50,1\r');
        assert.equal(await at(h, 'AT#SSLCFG?\r'), '\r\n#SSLCFG: 1,1,300,90,100,50,1\r\n\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        const bytes = Buffer.from([0x1a, 0x1b, 0x08, 0x00, 0xff, 0x0d, 0x0a]);
        assert.equal(await at(h, `AT#SSLSENDEXT=1,${bytes.length}\r`), '\r\n> ');
        h.terminal.input(bytes);
        await waitUntil(() => h.output.toString('latin1').includes('SSLSRING'), 'SSLSRING');
        assert.equal(h.take(), '\r\nOK\r\n\r\nSSLSRING: 1,7\r\n');
        const r = Buffer.from(await at(h, 'AT#SSLRECV=1,1000\r'), 'latin1');
        assert.deepEqual(r, Buffer.concat([Buffer.from('\r\n#SSLRECV: 7\r\n'), bytes, Buffer.from('\r\n\r\nOK\r\n')]));
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('remote close: the data stays readable, then NO CARRIER; #SSLRECV says DISCONNECTED, #SSLSEND 840', async () => {
    await withPeer(startPeer('respond', ['tls1'], 'last words'), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        await at(h, 'AT#SSLSEND=1\r');
        await at(h, 'bye\x1a');
        await waitUntil(() => peer.connections.length === 1 && peer.sent > 0, 'server answered');
        await new Promise((r) => setTimeout(r, 50));
        peer.endAll();
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(h.take(), '', 'data unread: no NO CARRIER yet');
        assert.equal(await at(h, 'AT#SSLRECV=1,4\r'), '\r\n#SSLRECV: 4\r\nlast\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLRECV=1,100\r'), '\r\n#SSLRECV: 6\r\n words\r\n\r\nOK\r\n\r\nNO CARRIER\r\n');
        assert.equal(await at(h, 'AT#SSLRECV=1,100\r'), '\r\n#SSLRECV: 0\r\nDISCONNECTED\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n+CME ERROR: 840\r\n');
        assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,1\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n+CME ERROR: 833\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('#SSLSEND: a host silent at the prompt for <Timeout> x 100 ms gets 830; nothing is sent', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLSEND=1,5\r'), '\r\n> ');
        h.terminal.input(Buffer.from('never'));
        await settle();
        h.clock.advance(499);
        await settle();
        assert.equal(h.take(), '');
        h.clock.advance(1);
        assert.equal(await untilFinal(h), '\r\n+CME ERROR: 830\r\n');
        assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n> ');
        await at(h, 'sent\x1a');
        await waitUntil(() => peer.sent >= 4, 'echoed');
        assert.equal(await at(h, 'AT#SSLRECV=1,100,20\r'), '\r\n#SSLRECV: 4\r\nsent\r\n\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('#SSLRECV waits up to <Timeout> (100 ms units) on the module clock', async () => {
    await withPeer(startPeer('silent', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        h.terminal.input(Buffer.from('AT#SSLRECV=1,10,3\r'));
        await settle();
        h.clock.advance(299);
        await settle();
        assert.equal(h.take(), '');
        h.clock.advance(1);
        assert.equal(await untilFinal(h), '\r\n#SSLRECV: 0\r\nTIMEOUT\r\n\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  });
});

describe('Telit #SSLD <timeout>', () => {
  it('a server that stops answering during the handshake: 839 after <timeout> x 100 ms of silence', async () => {
    const hellos: number[] = [];
    const conns = new Set<Socket>();
    const server = createServer((c) => {
      conns.add(c);
      c.on('error', () => {});
      c.on('data', (d) => hellos.push(d.length));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const h = await telitModule('ge910');
    try {
      h.terminal.input(Buffer.from(`AT#SSLD=1,${port},"127.0.0.1",0,1,30\r`));
      await waitUntil(() => hellos.length > 0, 'ClientHello');
      h.clock.advance(2000);
      await settle();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.take(), '', 'still waiting after 2 s');
      h.clock.advance(1000);
      assert.equal(await untilFinal(h), '\r\n+CME ERROR: 839\r\n');
    } finally {
      await h.close();
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('Telit #SSLFASTD', () => {
  it('resumes the kept session: the server confirms a resumed handshake', async () => {
    await withPeer(startPeer('session', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        assert.equal(await at(h, dial(peer.port, 1, 1)), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLFASTD=1,1\r'), '\r\nOK\r\n');
        await waitUntil(() => peer.connections.length === 2, 'the server saw the fast dial');
        assert.deepEqual(peer.connections.map((c) => c.resumed), [false, true]);
        assert.equal(await at(h, 'AT#SSLRECV=1,100\r'), '\r\n#SSLRECV: 17\r\nresumed session\r\n\r\n\r\nOK\r\n');
        // Closure type 0 on #SSLH drops the session: a fast dial has nothing to resume.
        assert.equal(await at(h, 'AT#SSLH=1,0\r'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLFASTD=1,1\r'), '\r\n+CME ERROR: 830\r\n');
        // <closureType> 0 on #SSLD keeps nothing either.
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLFASTD=1,1\r'), '\r\n+CME ERROR: 830\r\n');
        await waitUntil(() => peer.connections.length === 3, 'three connections');
      } finally {
        await h.close();
      }
    });
  });

  it('a session kept with closure type 1 survives a remote close', async () => {
    await withPeer(startPeer('session', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        h.terminal.input(Buffer.from(dial(peer.port, 1, 0)));
        await waitUntil(() => h.output.toString('latin1') === '\r\nCONNECT\r\nnew session\r\n', 'new session');
        h.take();
        peer.endAll();
        await waitUntil(() => h.output.toString('latin1').endsWith('\r\nNO CARRIER\r\n'), 'NO CARRIER');
        h.take();
        h.terminal.input(Buffer.from('AT#SSLFASTD=1,0\r'));
        await waitUntil(() => h.output.toString('latin1') === '\r\nCONNECT\r\nresumed session\r\n', 'resumed');
        await waitUntil(() => peer.connections.length === 2, 'the server saw the fast dial');
        assert.deepEqual(peer.connections.map((c) => c.resumed), [false, true]);
      } finally {
        await h.close();
      }
    });
  });
});

describe('Telit #SSL: families, errors and the AT instance', () => {
  it('suites OpenSSL cannot run fail the handshake: RC4 (GE 1, 2), NULL (HE 4)', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      for (const [model, suites] of [['ge910', [1, 2]], ['he910', [1, 2, 4]]] as const) {
        const h = await telitModule(model);
        try {
          for (const s of suites) {
            assert.equal(await at(h, `AT#SSLSECCFG=1,${s},0\r`), '\r\nOK\r\n');
            assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\n+CME ERROR: 839\r\n', `${model} suite ${s}`);
          }
          assert.equal(await at(h, 'AT#SSLSECCFG=1,9,0\r'), '\r\n+CME ERROR: 4\r\n');
        } finally {
          await h.close();
        }
      }
    });
  });

  it('SSL belongs to the AT instance that enabled it', async () => {
    const h = await telitModule('ge910');
    const other: Buffer[] = [];
    const t2 = h.module.openTerminal((b) => other.push(b));
    const say = async (line: string) => {
      other.length = 0;
      t2.input(Buffer.from(line));
      await settle();
      return Buffer.concat(other).toString('latin1');
    };
    try {
      assert.equal(await say('ATE0\r'), 'ATE0\r\r\nOK\r\n');
      await say('AT+CMEE=1\r');
      assert.equal(await say('AT#SSLEN=1,1\r'), '\r\n+CME ERROR: 835\r\n');
      assert.equal(await say('AT#SSLCFG=1,1,300,90,100,50\r'), '\r\n+CME ERROR: 836\r\n');
      assert.equal(await say('AT#SSLEN?\r'), '\r\n#SSLEN: 1,0\r\n\r\nOK\r\n');
      assert.equal(await say('AT#SSLEN=1,0\r'), '\r\n+CME ERROR: 836\r\n');
      assert.equal(await at(h, 'AT#SSLEN=1,0\r'), '\r\nOK\r\n');
      assert.equal(await say('AT#SSLEN=1,1\r'), '\r\nOK\r\n');
      assert.equal(await at(h, 'AT#SSLSECCFG=1,0,0\r'), '\r\n+CME ERROR: 836\r\n');
      assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,1\r\n\r\nOK\r\n');
      // The instance goes away (its host disconnected): SSL is free again.
      h.module.closeTerminal(t2);
      assert.equal(await at(h, 'AT#SSLS=1\r'), '\r\n#SSLS: 1,0\r\n\r\nOK\r\n');
      assert.equal(await at(h, 'AT#SSLEN=1,1\r'), '\r\nOK\r\n');
    } finally {
      h.module.closeTerminal(t2);
      await h.close();
    }
  });

  it('bad input answers the documented error and changes nothing', async () => {
    await withPeer(startPeer('echo', ['tls1']), async (peer) => {
      const h = await telitModule('ge910');
      try {
        const cfg = '\r\n#SSLCFG: 1,1,300,90,100,50,0\r\n\r\nOK\r\n';
        assert.equal(await at(h, 'AT#SSLCFG?\r'), cfg);
        for (const bad of ['AT#SSLCFG=1,2,300,90,100,50\r', 'AT#SSLCFG=1,1,1501,90,100,50\r', 'AT#SSLCFG=1,1,300,90,0,50\r', 'AT#SSLCFG=1,1,300,90,100,256\r', 'AT#SSLCFG=2,1,300,90,100,50\r']) {
          assert.equal(await at(h, bad), '\r\n+CME ERROR: 4\r\n', bad);
        }
        assert.equal(await at(h, 'AT#SSLCFG?\r'), cfg);
        assert.equal(await at(h, 'AT#SSLSECDATA=1,1,1,2048\r'), '\r\n+CME ERROR: 4\r\n');
        assert.equal(await at(h, 'AT#SSLSECDATA=1,2,1\r'), '\r\n+CME ERROR: 837\r\n');
        // ESC abandons the PEM: nothing is stored. Backspace edits what was typed.
        assert.equal(await at(h, 'AT#SSLSECDATA=1,1,1,100\r'), '\r\n> ');
        assert.equal(await at(h, '-----BEGIN\x1b'), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT#SSLSECDATA=1,2,1\r'), '\r\n+CME ERROR: 837\r\n');
        const pem = sharedPki().ca.cert;
        assert.equal(await at(h, `AT#SSLSECDATA=1,1,1,${pem.length}\r`), '\r\n> ');
        assert.equal(await at(h, `${pem.slice(0, 30)}XY\b\b${pem.slice(30)}\x1a`), '\r\nOK\r\n');
        assert.match(await at(h, 'AT#SSLSECDATA=1,2,1\r'), /^\r\n#SSLSECDATA: 1,1\r\n-----BEGIN CERTIFICATE-----/);
        // Garbage is not a certificate.
        assert.equal(await storePem(h, 0, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), '\r\n+CME ERROR: 837\r\n');
        // Connection state errors.
        assert.equal(await at(h, 'AT#SSLSEND=1\r'), '\r\n+CME ERROR: 833\r\n');
        assert.equal(await at(h, 'AT#SSLRECV=1,10\r'), '\r\n+CME ERROR: 833\r\n');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\n+CME ERROR: 833\r\n');
        assert.equal(await at(h, 'AT#SSLRECV=1,1001\r'), '\r\n+CME ERROR: 4\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\n+CME ERROR: 834\r\n');
        assert.equal(await at(h, 'AT#SSLEN=1,0\r'), '\r\n+CME ERROR: 834\r\n');
        await waitUntil(() => peer.connections.length === 1, 'one connection');
        assert.equal(await at(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        // A refused port: the TCP socket fails, 832. Plain ERROR without +CMEE.
        const closed = await startPeer('echo', ['tls1']);
        await closed.close();
        assert.equal(await at(h, dial(closed.port, 0, 1)), '\r\n+CME ERROR: 832\r\n');
        await at(h, 'AT+CMEE=0\r');
        assert.equal(await at(h, dial(closed.port, 0, 1)), '\r\nERROR\r\n');
        await at(h, 'AT+CMEE=2\r');
        assert.equal(await at(h, 'AT#SSLD=1,1,"127.0.0.1",0,1\r'), '\r\n+CME ERROR: SSL socket error\r\n');
        // No active context: nothing to open the socket on.
        assert.equal(await at(h, 'AT#SGACT=1,0\r'), '\r\nOK\r\n');
        assert.equal(await at(h, dial(peer.port, 0, 1)), '\r\n+CME ERROR: SSL socket error\r\n');
      } finally {
        await h.close();
      }
    });
  });

  it('a reboot disables SSL; #SSLCFG/#SSLSECCFG settings and stored security data stay (saved in NVM at once)', async () => {
    const h = await telitModule('ge910');
    try {
      await at(h, 'AT#SSLCFG=1,1,100,10,20,5\r');
      await at(h, 'AT#SSLSECCFG=1,3,1\r');
      assert.equal(await storePem(h, 1, pkiFile('ca.pem')), '\r\nOK\r\n');
      h.terminal.input(Buffer.from('AT+CFUN=1,1\r'));
      await settle();
      h.clock.advance(3000);
      await settle();
      h.take();
      await at(h, 'ATE0\r');
      assert.equal(await at(h, 'AT#SSLEN?\r'), '\r\n#SSLEN: 1,0\r\n\r\nOK\r\n');
      assert.equal(await at(h, 'AT#SSLCFG?\r'), '\r\n#SSLCFG: 1,1,100,10,20,5,0\r\n\r\nOK\r\n');
      assert.equal(await at(h, 'AT#SSLSECCFG?\r'), '\r\n#SSLSECCFG: 1,3,1\r\n\r\nOK\r\n');
      await at(h, 'AT#SSLEN=1,1\r');
      assert.match(await at(h, 'AT#SSLSECDATA=1,2,1\r'), /^\r\n#SSLSECDATA: 1,1\r\n-----BEGIN CERTIFICATE-----/);
    } finally {
      await h.close();
    }
  });

  it('#SSLCFG/#SSLSECCFG settings survive a restart of the process (same NVM); a rejected set stores nothing', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-telit-nvm-'));
    try {
      const h = await telitModule('he910', new ManualClock(Date.now()), stateDir);
      try {
        await at(h, 'AT#SSLCFG=1,1,200,30,40,60,1\r');
        await at(h, 'AT#SSLSECCFG=1,0,1,0\r');
        assert.match(await at(h, 'AT#SSLCFG=1,1,99999,30,40,60\r'), /ERROR/);
      } finally {
        await h.close();
      }
      const again = await telitModule('he910', new ManualClock(Date.now()), stateDir);
      try {
        assert.equal(await at(again, 'AT#SSLCFG?\r'), '\r\n#SSLCFG: 1,1,200,30,40,60,1\r\n\r\nOK\r\n');
        assert.equal(await at(again, 'AT#SSLSECCFG?\r'), '\r\n#SSLSECCFG: 1,0,1,0\r\n\r\nOK\r\n');
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

});
