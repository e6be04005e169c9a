import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ManualClock } from '@modemlab/at';
import { at, OK, ublox } from '../../dialects/ublox/ublox.testutil.js';
import { TlsFailure } from './tls-service.js';
import { makePki, tcp, tlsServer, type TestPki } from './tls.testutil.js';

const DAY = 86_400_000;

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

describe('a secure connection through the module: +USECPRF, the certificate store, the TLS service', () => {
  it('applies a profile set by AT commands, with the store\'s certificates, the module clock and +UUSECPRF', async () => {
    const sessions = new Map<string, Buffer>();
    let client = '';
    const srv = await tlsServer(
      { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET },
      (s) => {
        client = s.getPeerX509Certificate()?.subject ?? '';
      },
    );
    srv.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      sessions.set(id.toString('hex'), data);
      done();
    });
    srv.server.on('resumeSession', (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => done(null, sessions.get(id.toString('hex')) ?? null));

    // The module's clock runs a month behind: the server's certificate is not valid yet for it.
    const clock = new ManualClock(Date.now() - 30 * DAY);
    const h = await ublox({ registered: false, clock });
    const store = h.module.services.certificates;
    store.import(0, 'test-ca', Buffer.from(pki.ca.cert));
    store.import(1, 'cc', Buffer.from(pki.client.cert));
    store.import(2, 'pk', Buffer.from(pki.client.key));
    for (const command of ['AT+USECPRF=0', 'AT+USECPRF=0,0,3', 'AT+USECPRF=0,3,"test-ca"', 'AT+USECPRF=0,5,"cc"', 'AT+USECPRF=0,6,"pk"', 'AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,0']) {
      assert.equal(await at(h, command), OK, command);
    }
    const connect = async (): Promise<TLSSocket> => h.module.services.tls.connect({ profileId: 0, host: 'localhost', port: srv.port, socket: await tcp(srv.port) });

    await assert.rejects(connect(), (e: TlsFailure) => e.reason === 'verification' && e.detail === 'not-yet-valid');
    h.take();
    clock.advance(31 * DAY);
    const s = await connect();
    assert.equal(client, 'CN=modem-client');
    const urcs = await h.waitFor('+UUSECPRF: 0,13,2,');
    const m = /^\r\n\+UUSECPRF: 0,13,1,0\r\n\r\n\+UUSECPRF: 0,13,2,"([A-Za-z0-9+/=]{44})","([A-Za-z0-9+/=]{64})"\r\n$/.exec(urcs + (await h.advance(0)));
    assert.ok(m, urcs);
    s.destroy();

    // The host gives the session back: the next connection resumes it.
    assert.equal(await at(h, `AT+USECPRF=0,13,2,"${m[1]}","${m[2]}"`), OK);
    const resumed = await connect();
    assert.equal(resumed.isSessionReused(), true);
    resumed.destroy();

    // Even after a reboot (which forgets the op 13 settings), the values set back resume.
    await h.waitFor('+UUSECPRF: 0,13,2,');
    await h.advance(0);
    h.take();
    assert.equal(await at(h, 'AT+CFUN=16'), OK);
    await h.advance(10_000);
    await at(h, 'ATE0');
    h.take();
    for (const command of ['AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,0', `AT+USECPRF=0,13,2,"${m[1]}","${m[2]}"`]) {
      assert.equal(await at(h, command), OK, command);
    }
    const afterReboot = await connect();
    assert.equal(afterReboot.isSessionReused(), true, 'the server confirmed the abbreviated handshake');
    afterReboot.destroy();
    await h.waitFor('+UUSECPRF: 0,13,2,');
    await h.advance(0);
    h.take();
    // A master secret that is not the session's: the server's Finished cannot verify.
    assert.equal(await at(h, `AT+USECPRF=0,13,2,"${m[1]}","${Buffer.alloc(48, 1).toString('base64')}"`), OK);
    await assert.rejects(connect(), (e: TlsFailure) => e.reason === 'handshake');
    await h.close();
    await srv.close();
  });
});
