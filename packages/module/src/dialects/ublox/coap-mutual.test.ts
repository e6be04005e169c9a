import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startLibcoap, type Libcoap } from '../../services/coap/coap-peers.testutil.js';
import { makePki } from '../../services/tls/tls.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { sharedPki } from '../../testing/tls-peers.js';
import { answer, at, atUntil, OK, ublox, urc } from './ublox.testutil.js';

const hex = (s: string | Buffer): string => Buffer.from(s).toString('hex').toUpperCase();

async function store(h: ModuleHarness, type: number, name: string, pem: string): Promise<void> {
  assert.equal(await at(h, `AT+USECMNG=0,${type},"${name}",${Buffer.byteLength(pem)}`), '\r\n>');
  assert.match(await h.send(pem), /\r\nOK\r\n$/);
}

/** Runs a +UCOAPC request to its +UCOAPCR, advancing the module clock past a handshake the server silently drops. */
async function request(h: ModuleHarness, command: string): Promise<string> {
  const op = /^AT\+UCOAPC=(\d)/.exec(command)![1];
  h.take();
  h.terminal.input(Buffer.from(`${command}\r`));
  let out = '';
  for (let i = 0; i < 300 && !out.includes(`+UCOAPCR: ${op},`); i++) {
    await sleep(20);
    out += h.take();
    if (i === 150) out += await h.advance(h.module.model.tls.handshakeInactivityMs);
  }
  return out;
}

/**
 * Secure CoAP with certificates against libcoap asking for a client certificate (-C): the
 * +USECPRF profile holds the CA, the client certificate and its key; DTLS (coaps://) and
 * TLS (coaps+tcp://). A profile without a client certificate, or trusting another CA, fails
 * the handshake (+UCOAPER 2,4).
 */
describe('u-blox CoAP: mutual authentication with certificates against libcoap', () => {
  let server: Libcoap;
  let dir: string;
  let h: ModuleHarness;
  before(async () => {
    const pki = sharedPki();
    dir = mkdtempSync(join(tmpdir(), 'modemlab-coap-mutual-'));
    writeFileSync(join(dir, 'server.pem'), pki.server.cert);
    writeFileSync(join(dir, 'server.key'), pki.server.key);
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
    server = await startLibcoap({ cert: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') }, verifyClient: true });
    h = await ublox();
    assert.equal(await at(h, 'AT+CMEE=1'), OK);
    assert.equal(await at(h, 'AT+UCOAP=4,1'), OK);
    await store(h, 0, 'coapCA', pki.ca.cert);
    await store(h, 0, 'otherCA', makePki().ca.cert);
    await store(h, 1, 'me', pki.client.cert);
    await store(h, 2, 'mykey', pki.client.key);
  });
  after(async () => {
    await h?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [scheme, p] of [['coaps', 2], ['coaps+tcp', 3]] as const) {
    it(`${scheme}: no client certificate is refused; with one it round-trips; another CA fails (2,4)`, async () => {
      assert.equal(await at(h, `AT+USECPRF=${p},0,1`), OK);
      assert.equal(await at(h, `AT+USECPRF=${p},3,"coapCA"`), OK);
      assert.equal(await at(h, `AT+UCOAP=7,1,${p}`), OK);
      assert.equal(await at(h, `AT+UCOAP=1,"${scheme}://127.0.0.1:${server.securePort}/m-${scheme}"`), OK);
      assert.equal(await request(h, `AT+UCOAPC=3,"${hex('no cert')}"`), OK + urc('+UCOAPCR: 3,0'));
      // DTLS 1.2: the server refuses inside the handshake (2,4). TLS 1.3: the client's handshake
      // is over before the server checks the certificate; libcoap sends its alert and resets the
      // connection, and which reaches the module first is a race on loopback as on a real network:
      // the alert read gives 2,4, the reset first gives connection closed (2,7). Both are right.
      const refused = await at(h, 'AT+UCOAPER');
      if (scheme === 'coaps') assert.equal(refused, answer('+UCOAPER: 2,4'));
      else assert.ok([answer('+UCOAPER: 2,4'), answer('+UCOAPER: 2,7')].includes(refused), refused);
      assert.equal(await at(h, `AT+USECPRF=${p},5,"me"`), OK);
      assert.equal(await at(h, `AT+USECPRF=${p},6,"mykey"`), OK);
      assert.match(await request(h, `AT+UCOAPC=3,"${hex('mutual')}"`), /\+UCOAPCD: 20[14],"",0\r\n\r\n\+UCOAPCR: 3,1\r\n$/);
      assert.equal(await atUntil(h, 'AT+UCOAPC=1', '+UCOAPCR: 1,'), OK + urc(`+UCOAPCD: 205,"${hex('mutual')}",0`, '+UCOAPCR: 1,1'));
      assert.equal(await at(h, `AT+USECPRF=${p},3,"otherCA"`), OK);
      assert.equal(await request(h, 'AT+UCOAPC=1'), OK + urc('+UCOAPCR: 1,0'));
      assert.equal(await at(h, 'AT+UCOAPER'), answer('+UCOAPER: 2,4'));
    });
  }
});
