import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { answer, at, cmeError, OK } from '../../dialects/ublox/ublox.testutil.js';
import { OTHER_ROT, securedUblox } from '../../dialects/ublox/sec-keys.testutil.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { makePki, tcp, tlsServer, type TestPki } from './tls.testutil.js';

let pki: TestPki;
before(() => {
  pki = makePki();
});
after(() => pki.dispose());

/** A TLS 1.2 server that keeps sessions by ID (tickets off) or hands out tickets. */
async function server(tickets: boolean) {
  const sessions = new Map<string, Buffer>();
  const srv = await tlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2', ...(tickets ? {} : { secureOptions: constants.SSL_OP_NO_TICKET }) });
  srv.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    sessions.set(id.toString('hex'), data);
    done();
  });
  srv.server.on('resumeSession', (id: Buffer, done: (err: Error | null, data?: Buffer | null) => void) => done(null, sessions.get(id.toString('hex')) ?? null));
  return srv;
}

async function expectOk(h: ModuleHarness, commands: string[]): Promise<void> {
  for (const c of commands) assert.equal(await at(h, c), OK, c);
}

async function reboot(h: ModuleHarness): Promise<void> {
  assert.equal(await at(h, 'AT+CFUN=16'), OK);
  await h.advance(10_000);
  await at(h, 'ATE0');
  await at(h, 'AT+CMEE=1');
  h.take();
}

describe('session resumption with local encryption (seed 000 §3.4.1.2; +USECPRF types 10, 11, 13)', () => {
  it('type 10: the session ID arrives encrypted (tag 12), is set back after a power cycle and resumes for real; another module refuses it', async () => {
    const srv = await server(false);
    const m = await securedUblox({ registered: false });
    const h = m.h;
    await at(h, 'AT+CMEE=1');
    const connect = async (): Promise<TLSSocket> => h.module.services.tls.connect({ profileId: 0, host: 'localhost', port: srv.port, socket: await tcp(srv.port) });
    await expectOk(h, ['AT+USECPRF=0,0,0', 'AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,10']);
    const first = await connect();
    assert.equal(first.isSessionReused(), false);
    const urcs = await h.waitFor('+UUSECPRF: 0,13,12,');
    const all = urcs + (await h.advance(0));
    const m12 = /^\r\n\+UUSECPRF: 0,13,1,10\r\n\r\n\+UUSECPRF: 0,13,12,"([A-Za-z0-9+/=]+)",(\d+)\r\n$/.exec(all);
    assert.ok(m12, all);
    const data = m12[1]!;
    assert.equal(Number(m12[2]), data.length);
    first.destroy();

    await reboot(h);
    assert.equal(await at(h, 'AT+USECPRF=0,13,1'), answer('+USECPRF: 0,13,1,0'), 'the power cycle forgot the settings');
    await expectOk(h, ['AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,10', `AT+USECPRF=0,13,12,"${data}",${data.length}`]);
    assert.equal(await at(h, 'AT+USECPRF=0,13,12'), answer(`+USECPRF: 0,13,12,"${data}",${data.length}`));
    const resumed = await connect();
    assert.equal(resumed.isSessionReused(), true, 'the server accepted the abbreviated handshake');
    resumed.destroy();
    // A resumed session is reported again (encrypted anew).
    await h.waitFor('+UUSECPRF: 0,13,12,');
    await h.advance(0);
    h.take();

    // A tampered blob is refused and changes nothing.
    const tampered = Buffer.from(data, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    const bad = tampered.toString('base64');
    assert.equal(await at(h, `AT+USECPRF=0,13,12,"${bad}",${bad.length}`), cmeError(50));
    assert.equal(await at(h, 'AT+USECPRF=0,13,12'), answer(`+USECPRF: 0,13,12,"${data}",${data.length}`));

    // Another module (another root of trust) cannot use it.
    const other = await securedUblox({ rot: OTHER_ROT, registered: false });
    await at(other.h, 'AT+CMEE=1');
    await expectOk(other.h, ['AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,10']);
    assert.equal(await at(other.h, `AT+USECPRF=0,13,12,"${data}",${data.length}`), cmeError(50));
    // Without the feature the encrypted types are refused.
    other.h.module.services.security.update((r) => {
      r.features = [];
    });
    assert.equal(await at(other.h, 'AT+USECPRF=1,13,1,11'), cmeError(3));
    await other.close();
    await m.close();
    await srv.close();
  });

  it('type 11: the ticket is stored encrypted (tag 13), read by the host, set back after a power cycle and resumed', async () => {
    const srv = await server(true);
    const m = await securedUblox({ registered: false });
    const h = m.h;
    await at(h, 'AT+CMEE=1');
    const connect = async (): Promise<TLSSocket> => h.module.services.tls.connect({ profileId: 0, host: 'localhost', port: srv.port, socket: await tcp(srv.port) });
    await expectOk(h, ['AT+USECPRF=0,0,0', 'AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,11']);
    const first = await connect();
    assert.equal(await h.waitFor('+UUSECPRF: 0,13,0,2\r\n'), '\r\n+UUSECPRF: 0,13,0,2\r\n');
    first.destroy();
    const read = /^\r\n\+USECPRF: 0,13,13,"([A-Za-z0-9+/=]+)",(\d+)\r\n/.exec(await at(h, 'AT+USECPRF=0,13,13'));
    assert.ok(read);
    const data = read[1]!;
    await reboot(h);
    await expectOk(h, ['AT+USECPRF=0,0,0', 'AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,11', `AT+USECPRF=0,13,13,"${data}",${data.length}`]);
    const resumed = await connect();
    assert.equal(resumed.isSessionReused(), true);
    resumed.destroy();
    await m.close();
    await srv.close();
  });

  it('type 11 with certificate validation: the encrypted ticket keeps the server certificate, so a resumption after a power cycle still validates', async () => {
    const srv = await server(true);
    const m = await securedUblox({ registered: false });
    const h = m.h;
    await at(h, 'AT+CMEE=1');
    h.module.services.certificates.import(0, 'test-ca', Buffer.from(pki.ca.cert));
    const profile = ['AT+USECPRF=0,0,1', 'AT+USECPRF=0,3,"test-ca"', 'AT+USECPRF=0,13,0,1', 'AT+USECPRF=0,13,1,11'];
    const connect = async (): Promise<TLSSocket> => h.module.services.tls.connect({ profileId: 0, host: 'localhost', port: srv.port, socket: await tcp(srv.port) });
    await expectOk(h, profile);
    const first = await connect();
    await h.waitFor('+UUSECPRF: 0,13,0,2\r\n');
    first.destroy();
    const read = /^\r\n\+USECPRF: 0,13,13,"([A-Za-z0-9+/=]+)",(\d+)\r\n/.exec(await at(h, 'AT+USECPRF=0,13,13'));
    assert.ok(read);
    const data = read[1]!;
    await reboot(h);
    // The certificate store and profile 0 are in NVM; the op 13 settings and the ticket come back from the host.
    await expectOk(h, [...profile.slice(2), `AT+USECPRF=0,13,13,"${data}",${data.length}`]);
    assert.equal(await at(h, 'AT+USECPRF=0,0'), answer('+USECPRF: 0,0,1'));
    const resumed = await connect();
    assert.equal(resumed.isSessionReused(), true, 'resumed without a full handshake');
    // Validated against the certificate kept in NVM (without it: "the server sent no certificate").
    resumed.destroy();
    await m.close();
    await srv.close();
  });

  it('tag 15 (encrypted PSK-based ticket) takes its data after a prompt, checked like the others', async () => {
    const m = await securedUblox({ registered: false });
    const h = m.h;
    await at(h, 'AT+CMEE=1');
    const blob = h.module.services.keys.local.encrypt(Buffer.from('ticket')).toString('base64');
    assert.equal(await at(h, `AT+USECPRF=0,13,15,${blob.length}`), '\r\n>');
    assert.equal(await h.send(blob), OK);
    assert.equal(await at(h, 'AT+USECPRF=0,13,15'), answer(`+USECPRF: 0,13,15,"${blob}",${blob.length}`));
    assert.equal(await at(h, 'AT+USECPRF=0,13,15,8'), '\r\n>');
    assert.equal(await h.send('AAAAAAA='), cmeError(50));
    await m.close();
  });
});
