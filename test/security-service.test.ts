import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { ModuleHarness } from '../packages/module/src/testing/harness.js';
import { REGISTRATION_MS, ublox } from '../packages/module/src/dialects/ublox/ublox.testutil.js';
import { ask, createProfile, registerModuleRot, startSecurityLab, type SecurityLab } from './security-cloud.testutil.js';

const DAY_MS = 86_400_000;
const answer = (...lines: string[]) => `\r\n${lines.join('\r\n')}\r\n\r\nOK\r\n`;
const OK = '\r\nOK\r\n';
const cme = (n: number) => `\r\n+CME ERROR: ${n}\r\n`;

/** A module of `model` pointed at the lab's cloud, its root of trust registered, then registered on the network (bootstrap starts). */
async function connectedModule(lab: SecurityLab, opts: { model?: string; stateDir?: string; logs?: string[] } = {}): Promise<ModuleHarness> {
  const h = await ublox({
    registered: false,
    cloud: lab.endpoint,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    log: (m) => opts.logs?.push(m),
  });
  await h.send('AT+CMEE=1\r');
  if (!opts.stateDir) await registerModuleRot(lab, h.module);
  await h.advance(REGISTRATION_MS);
  return h;
}

describe('root of trust and security service on a u-blox module', () => {
  let lab: SecurityLab;
  before(async () => {
    lab = await startSecurityLab();
  });
  after(async () => {
    await lab.close();
  });

  it('+USECROTUID and +USECCHIP name the root of trust; a fresh module without a service stays 0,0,0 and refuses +USECCONN', async () => {
    const h = await ublox();
    try {
      await h.send('AT+CMEE=1\r');
      const uid = await ask(h, 'AT+USECROTUID');
      assert.match(uid, /^\r\n\+USECROTUID: "[0-9A-F]{16}"\r\n\r\nOK\r\n$/);
      assert.equal(uid, answer(`+USECROTUID: "${h.module.services.rot.uid}"`));
      assert.equal(await ask(h, 'AT+USECCHIP'), answer(`+USECCHIP: "${h.module.services.rot.chipId}"`));
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 0,0,0'));
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
      assert.equal(h.module.services.security.record.bootstrapped, false);
    } finally {
      await h.close();
    }
  });

  it('bootstraps at first connectivity (1,0,1), seals once (1,1,1), features arrive; later seals are ignored', async () => {
    const h = await connectedModule(lab);
    try {
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
      assert.equal(h.module.services.security.has('PSK'), false);
      const profile = await createProfile(lab, ['PSK', 'E2E']);
      assert.equal(await ask(h, `AT+USECDEVINFO="${profile}","356726100000001"`), OK);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      const r = h.module.services.security.record;
      assert.deepEqual([...r.features].sort(), ['E2E', 'PSK']);
      assert.equal(h.module.services.security.has('PSK'), true);
      // The service agrees: the device is ACTIVE in the account, with this serial.
      const dev = await lab.account.call<{ State: string; DeviceSerialNumber: string }>('/v1/device/get', { ROTPublicUID: h.module.services.rot.uid });
      assert.equal(dev.body.State, 'ACTIVE');
      assert.equal(dev.body.DeviceSerialNumber, '356726100000001');
      // A second seal: OK, ignored, nothing changes here or in the cloud.
      const other = await createProfile(lab, ['ZTP']);
      assert.equal(await ask(h, `AT+USECDEVINFO="${other}","2"`), OK);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      assert.deepEqual(h.module.services.security.record.sealRequest, { profileUid: profile, serial: '356726100000001' });
      const again = await lab.account.call<{ DeviceProfileUID: string }>('/v1/device/get', { ROTPublicUID: h.module.services.rot.uid });
      assert.equal(again.body.DeviceProfileUID, profile);
    } finally {
      await h.close();
    }
  });

  it('bad +USECDEVINFO parameters are refused and change nothing', async () => {
    const h = await connectedModule(lab);
    try {
      assert.equal(await ask(h, 'AT+USECDEVINFO="abc"'), cme(50));
      assert.equal(await ask(h, 'AT+USECDEVINFO="abc","12345678901234567"'), cme(50));
      assert.equal(await ask(h, 'AT+USECDEVINFO="","1"'), cme(50));
      assert.equal(await ask(h, 'AT+USECDEVINFO=abc,1'), cme(50));
      assert.equal(h.module.services.security.record.sealRequest, undefined);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
    } finally {
      await h.close();
    }
  });

  it('a profile the service does not know leaves the device 1,0,1 (the seed\'s warning); it is still the sealed request', async () => {
    const logs: string[] = [];
    const h = await connectedModule(lab, { logs });
    try {
      assert.equal(await ask(h, 'AT+USECDEVINFO="DeviceProfileUID","serial"'), OK);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
      assert.ok(logs.some((l) => /seal refused/.test(l)), logs.join('\n'));
      assert.deepEqual(h.module.services.security.record.sealRequest, { profileUid: 'DeviceProfileUID', serial: 'serial' });
    } finally {
      await h.close();
    }
  });

  it('+USECCONN: heartbeat brings feature changes; SARA-R5 refuses another within 24 h without contacting the cloud; the periodic heartbeat runs on the module clock', async () => {
    const h = await connectedModule(lab);
    try {
      const profile = await createProfile(lab, ['PSK', 'E2E']);
      await ask(h, `AT+USECDEVINFO="${profile}","1"`);
      await ask(h, 'AT+USECDEVINFO?');
      const uid = h.module.services.rot.uid;
      const set = await lab.account.call('/v1/device/features/set', { ROTPublicUID: uid, Features: { PSK: false, LocalDataProtection: true } });
      assert.equal(set.status, 200);
      assert.equal(h.module.services.security.has('PSK'), true, 'nothing changes before the heartbeat');
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
      assert.deepEqual([...h.module.services.security.record.features].sort(), ['E2E', 'LocalDataProtection']);
      const sentAt = h.module.services.security.record.lastHeartbeatAt;
      assert.equal(sentAt, h.clock.now());

      // Within 24 h: refused at once, the cloud never hears of it (its last heartbeat stays).
      const before = (await lab.account.call<{ LastHeartbeat: string }>('/v1/device/get', { ROTPublicUID: uid })).body.LastHeartbeat;
      await h.advance(DAY_MS - 1);
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
      assert.equal(h.module.services.security.record.lastHeartbeatAt, sentAt);
      assert.equal((await lab.account.call<{ LastHeartbeat: string }>('/v1/device/get', { ROTPublicUID: uid })).body.LastHeartbeat, before);

      // 24 h after the last: the automatic heartbeat goes out by itself (module clock).
      await lab.account.call('/v1/device/features/set', { ROTPublicUID: uid, Features: { PSK: true } });
      h.clock.advance(1);
      await h.module.services.securityService.settled();
      assert.equal(h.module.services.security.record.lastHeartbeatAt, sentAt! + DAY_MS);
      assert.equal(h.module.services.security.has('PSK'), true);
      // ...and counts for the rate limit.
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
    } finally {
      await h.close();
    }
  });

  it('a key rotation in the cloud reaches the module with the next heartbeat (SecurityState.keyEpoch)', async () => {
    const h = await connectedModule(lab);
    try {
      await ask(h, `AT+USECDEVINFO="${await createProfile(lab, ['E2E'])}","7"`);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      const before = h.module.services.security.record.keyEpoch;
      const rotated = await lab.account.call<{ KeyEpoch: number }>('/v1/e2e/keyrotation/set', { ROTPublicUID: h.module.services.rot.uid });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal(rotated.body.KeyEpoch, before + 1);
      assert.equal(h.module.services.security.record.keyEpoch, before);
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
      assert.equal(h.module.services.security.record.keyEpoch, before + 1);
    } finally {
      await h.close();
    }
  });

  it("the cloud is reached the module's way: its host table, lab forwards and policy, and only the --cloud-ca root", async () => {
    const port = new URL(lab.cloud.url).port;
    const reach = async (opts: { url: string; ca?: string; hosts?: Record<string, string>; forwards?: Record<string, string> }) => {
      const logs: string[] = [];
      const h = await ublox({
        registered: false,
        cloud: { url: opts.url, ca: opts.ca ?? lab.cloud.caPem },
        ...(opts.hosts ? { hosts: opts.hosts } : {}),
        ...(opts.forwards ? { forwards: opts.forwards } : {}),
        log: (m, d) => logs.push(`${m} ${typeof d === 'string' ? d : ''}`),
      });
      try {
        await registerModuleRot(lab, h.module);
        await h.advance(REGISTRATION_MS);
        const info = await ask(h, 'AT+USECDEVINFO?');
        const c = h.module.services.pdp.countersOf(1);
        return { info, logs: logs.join('\n'), counted: (c?.sentSession ?? 0) + (c?.receivedSession ?? 0) };
      } finally {
        await h.close();
      }
    };
    // A name from the module's host table, port 443 forwarded by the lab to the cloud: TLS checks the name.
    const named = await reach({ url: 'https://localhost', hosts: { localhost: '127.0.0.1' }, forwards: { '127.0.0.1:443': `127.0.0.1:${port}` } });
    assert.equal(named.info, answer('+USECDEVINFO: 1,0,1'));
    // The exchange went through the default bearer and is counted there (seed 001 §4.2: a
    // bootstrap moves at least 1048 bytes; ours is one TLS handshake and one request).
    assert.ok(named.counted > 1048, `counted ${named.counted} bytes`);
    // The real service's name is unknown on the lab network: never bootstrapped.
    const unknown = await reach({ url: `https://icpp.services.u-blox.com:${port}` });
    assert.equal(unknown.info, answer('+USECDEVINFO: 0,0,0'));
    assert.match(unknown.logs, /exchange with the security service failed/);
    // A cloud whose certificate does not chain to --cloud-ca is not trusted.
    const other = await startSecurityLab();
    try {
      const untrusted = await reach({ url: lab.cloud.url, ca: other.cloud.caPem });
      assert.equal(untrusted.info, answer('+USECDEVINFO: 0,0,0'));
      assert.match(untrusted.logs, /TLS/);
    } finally {
      await other.close();
    }
  });

  it('a periodic heartbeat that falls due while offline goes out at the next data-path activation', async () => {
    const h = await connectedModule(lab);
    try {
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
      assert.equal(h.module.services.security.record.lastHeartbeatAt, undefined);
      assert.equal(await ask(h, 'AT+CFUN=0'), OK);
      await h.advance(DAY_MS);
      await h.module.services.securityService.settled();
      assert.equal(h.module.services.security.record.lastHeartbeatAt, undefined, 'no data path: nothing sent');
      assert.equal(await ask(h, 'AT+CFUN=1'), OK);
      await h.advance(REGISTRATION_MS);
      await h.module.services.securityService.settled();
      assert.equal(h.module.services.security.record.lastHeartbeatAt, h.clock.now());
    } finally {
      await h.close();
    }
  });

  it('sealed before any connectivity: the request waits in NVM, then bootstrap and seal run at the first activation', async () => {
    const h = await ublox({ registered: false, cloud: lab.endpoint });
    try {
      await registerModuleRot(lab, h.module);
      const profile = await createProfile(lab, ['PSK']);
      // Right after power-on the SEC subsystem is starting: SEC busy (1950), nothing requested.
      await h.send('AT+CMEE=1\r');
      assert.equal(await ask(h, `AT+USECDEVINFO="${profile}","too early"`), cme(1950));
      assert.equal(h.module.services.security.record.sealRequest, undefined);
      assert.equal(await ask(h, 'AT+USECCONN'), cme(1950));
      await h.advance(999);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), cme(1950));
      await h.advance(1);
      assert.equal(await ask(h, `AT+USECDEVINFO="${profile}","early"`), OK);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 0,0,0'));
      await h.advance(REGISTRATION_MS);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      assert.equal(h.module.services.security.has('PSK'), true);
    } finally {
      await h.close();
    }
  });

  it('a power cycle in the middle of the bootstrap loses that exchange; it starts again from the beginning after the reboot', async () => {
    // A silent cloud first (accepts, never answers), then the real one behind the same address.
    let forward = false;
    const held = new Set<Socket>();
    let arrived: () => void = () => {};
    const first = new Promise<void>((r) => (arrived = r));
    const target = new URL(lab.cloud.url);
    const gate: Server = createServer((s) => {
      held.add(s);
      s.on('close', () => held.delete(s));
      s.on('error', () => {});
      if (!forward) return arrived();
      const up = connect(Number(target.port), '127.0.0.1');
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const port = (gate.address() as { port: number }).port;
    const h = await ublox({ registered: false, cloud: { url: `https://127.0.0.1:${port}`, ca: lab.cloud.caPem } });
    try {
      await registerModuleRot(lab, h.module);
      await h.advance(REGISTRATION_MS);
      await first;
      forward = true;
      assert.equal(await ask(h, 'AT+CFUN=16'), '\r\nOK\r\n');
      await h.advance(10_000);
      await h.send('ATE0\r');
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
    } finally {
      await h.close();
      for (const s of held) s.destroy();
      await new Promise<void>((r) => gate.close(() => r()));
    }
  });

  it('heartbeat blocking per product: SARA-R5 holds every command line until the heartbeat is over; SARA-R4 holds only +USECDEVINFO?', async () => {
    // A proxy in front of the real cloud that can hold new connections (the heartbeat "in flight").
    const target = Number(new URL(lab.cloud.url).port);
    let holding = false;
    const held: Socket[] = [];
    const all = new Set<Socket>();
    let arrived: () => void = () => {};
    const pipeUp = (s: Socket) => {
      const up = connect(target, '127.0.0.1');
      all.add(up);
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
    };
    const proxy: Server = createServer((s) => {
      all.add(s);
      s.on('error', () => {});
      if (!holding) return pipeUp(s);
      held.push(s);
      arrived();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const endpoint = { url: `https://127.0.0.1:${(proxy.address() as { port: number }).port}`, ca: lab.cloud.caPem };
    const release = () => {
      holding = false;
      for (const s of held.splice(0)) pipeUp(s);
    };
    const hold = () => {
      holding = true;
      return new Promise<void>((r) => (arrived = r));
    };
    const hs: ModuleHarness[] = [];
    try {
      for (const model of ['sara-r5', 'sara-r410m']) {
        const logs: string[] = [];
        const h = await connectedModule(lab, { model, logs });
        hs.push(h);
        assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'), model);
        h.module.services.securityService.configure(endpoint);
        // A heartbeat starts (the periodic one, or +USECCONN on another channel) and is held at the proxy.
        const inFlight = hold();
        const heartbeat = h.module.services.securityService.heartbeat();
        await inFlight;
        if (model === 'sara-r5') {
          h.take();
          h.terminal.input(Buffer.from('AT\r', 'latin1'));
          while (!logs.includes('security: command held until the heartbeat is over')) await new Promise((r) => setImmediate(r));
          assert.equal(h.take(), '', 'no answer while the heartbeat runs');
          release();
          await heartbeat;
          assert.equal(await h.waitFor('OK\r\n', 10_000), OK);
        } else {
          assert.equal(await ask(h, 'AT'), OK, 'SARA-R4 answers other commands during a heartbeat');
          assert.equal(logs.includes('security: command held until the heartbeat is over'), false);
          const read = ask(h, 'AT+USECDEVINFO?');
          release();
          await heartbeat;
          assert.equal(await read, answer('+USECDEVINFO: 1,0,1'));
        }
        assert.equal(h.module.services.security.record.lastHeartbeatAt, h.clock.now(), model);
        // Nothing in flight: no command is held any more.
        logs.length = 0;
        assert.equal(await ask(h, 'AT'), OK);
        assert.equal(logs.includes('security: command held until the heartbeat is over'), false);
      }
    } finally {
      for (const h of hs) await h.close();
      for (const s of all) s.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('SARA-R4: the heartbeat rate limit is 5 minutes, kept across a power cycle', async () => {
    const h = await connectedModule(lab, { model: 'sara-r410m' });
    try {
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
      await h.advance(200_000);
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
      // A reboot keeps the time of the last heartbeat (NVM).
      await ask(h, 'AT+CFUN=16');
      await h.advance(10_000);
      await h.send('ATE0\r');
      await h.send('AT+CMEE=1\r');
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
      await h.advance(89_999);
      assert.equal(await ask(h, 'AT+USECCONN'), cme(3));
      await h.advance(1);
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
    } finally {
      await h.close();
    }
  });

  it('without a data path +USECCONN fails (no network service) and counts no heartbeat; a failed bootstrap is retried on the module clock', async () => {
    // A gate in front of the cloud: closed, it drops every connection (the service unreachable).
    let open = false;
    const sockets = new Set<Socket>();
    const target = new URL(lab.cloud.url);
    const gate: Server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      if (!open) return s.destroy();
      const up = connect(Number(target.port), '127.0.0.1');
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const port = (gate.address() as { port: number }).port;
    const logs: string[] = [];
    const h = await ublox({ registered: false, cloud: { url: `https://127.0.0.1:${port}`, ca: lab.cloud.caPem }, log: (m) => logs.push(m) });
    try {
      await h.send('AT+CMEE=1\r');
      await registerModuleRot(lab, h.module);
      await h.advance(REGISTRATION_MS);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 0,0,0'));
      assert.ok(logs.some((l) => /exchange with the security service failed/.test(l)));
      open = true;
      await h.advance(59_999);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 0,0,0'));
      await h.advance(1);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,0,1'));

      // Radio off: no data path; the heartbeat fails without being counted.
      assert.equal(await ask(h, 'AT+CFUN=0'), OK);
      assert.equal(await ask(h, 'AT+USECCONN'), cme(30));
      assert.equal(h.module.services.security.record.lastHeartbeatAt, undefined);
      assert.equal(await ask(h, 'AT+CFUN=1'), OK);
      await h.advance(REGISTRATION_MS);
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
    } finally {
      await h.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => gate.close(() => r()));
    }
  });

  it('a clone (a copy of the state folder: the same root of trust) is refused and both lose their features', async () => {
    const original = await connectedModule(lab);
    const copyDir = mkdtempSync(join(tmpdir(), 'modemlab-clone-'));
    let clone: ModuleHarness | undefined;
    try {
      const profile = await createProfile(lab, ['PSK']);
      await ask(original, `AT+USECDEVINFO="${profile}","1"`);
      assert.equal(await ask(original, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      cpSync(original.module.nvm.dir, copyDir, { recursive: true });
      clone = await connectedModule(lab, { stateDir: copyDir });
      assert.equal(clone.module.services.rot.uid, original.module.services.rot.uid);
      assert.equal(clone.module.services.security.has('PSK'), true, 'the copy starts with what was copied');
      // The first to speak is accepted; the second holder of the root secret reuses the counter: flagged.
      assert.equal(await ask(original, 'AT+USECCONN'), OK);
      assert.equal(await ask(clone, 'AT+USECCONN'), cme(3));
      assert.equal(clone.module.services.security.has('PSK'), false);
      assert.equal(clone.module.services.security.record.cloned, true);
      // The original learns at its next heartbeat that its root of trust is compromised.
      await original.advance(DAY_MS);
      await original.module.services.securityService.settled();
      assert.equal(original.module.services.security.has('PSK'), false);
      assert.equal(original.module.services.security.record.cloned, true);
      const dev = await lab.account.call<{ Cloned: boolean }>('/v1/device/get', { ROTPublicUID: original.module.services.rot.uid });
      assert.equal(dev.body.Cloned, true);
    } finally {
      await clone?.close();
      await original.close();
      rmSync(copyDir, { recursive: true, force: true });
    }
  });

  it('ZTP: sealed into a profile with a device certificate, the module enrols and stores key, certificate and CA chain', async () => {
    const h = await connectedModule(lab);
    try {
      const ca = await lab.account.call<{ RootCAUID: string; Certificate: string }>('/v1/ztp/rootca/create', { Name: `ztp-${Date.now()}`, ValidityDays: 365 });
      assert.equal(ca.status, 200);
      const profile = await createProfile(lab, ['ZTP']);
      const prov = await lab.account.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profile, DeviceCertificate: { Enabled: true, RootCAUID: ca.body.RootCAUID } });
      assert.equal(prov.status, 200, JSON.stringify(prov.body));
      await ask(h, `AT+USECDEVINFO="${profile}","42"`);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      const ztp = h.module.services.security.record.ztp;
      assert.ok(ztp, 'ZTP material stored');
      assert.match(ztp.key, /^-----BEGIN PRIVATE KEY-----/);
      assert.match(ztp.certificate, /^-----BEGIN CERTIFICATE-----/);
      assert.equal(ztp.caChain.trim(), ca.body.Certificate.trim());
      const { X509Certificate, createPublicKey } = await import('node:crypto');
      const cert = new X509Certificate(ztp.certificate);
      assert.ok(cert.verify(new X509Certificate(ca.body.Certificate).publicKey));
      assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(ztp.key)));
      assert.ok(createPublicKey(ztp.key));
    } finally {
      await h.close();
    }
  });

  it('ZTP re-issue: the cloud drops the certificate, the next heartbeat tells the module, which enrols again and stores the new one', async () => {
    const logs: string[] = [];
    const h = await connectedModule(lab, { logs });
    try {
      const ca = await lab.account.call<{ RootCAUID: string; Certificate: string }>('/v1/ztp/rootca/create', { Name: `reissue-${Date.now()}`, ValidityDays: 365 });
      const profile = await createProfile(lab, ['ZTP']);
      await lab.account.call('/v1/deviceprofile/bootstrapprovisioning/set', { DeviceProfileUID: profile, DeviceCertificate: { Enabled: true, RootCAUID: ca.body.RootCAUID } });
      await ask(h, `AT+USECDEVINFO="${profile}","43"`);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      const uid = h.module.services.rot.uid;
      const { X509Certificate } = await import('node:crypto');
      const first = h.module.services.security.record.ztp!;
      const caCert = new X509Certificate(ca.body.Certificate);

      const re = await lab.account.call('/v1/device/provisioning/reissue', { ROTPublicUID: uid });
      assert.equal(re.status, 200, JSON.stringify(re.body));
      assert.equal((await lab.account.call<{ Status: string }>('/v1/device/provisioning/get', { ROTPublicUID: uid })).body.Status, 'PENDING');
      assert.equal(h.module.services.security.record.ztp!.certificate, first.certificate, 'nothing changes before a heartbeat');
      // +USECCONN: the heartbeat says ZtpReissue, the module enrols again.
      assert.equal(await ask(h, 'AT+USECCONN'), OK);
      const second = h.module.services.security.record.ztp!;
      assert.notEqual(second.certificate, first.certificate);
      const cert2 = new X509Certificate(second.certificate);
      assert.notEqual(cert2.serialNumber, new X509Certificate(first.certificate).serialNumber);
      assert.ok(cert2.verify(caCert.publicKey));
      assert.ok(cert2.checkPrivateKey((await import('node:crypto')).createPrivateKey(second.key)));
      assert.ok(logs.includes('security: ZTP device certificate re-issued'));
      const prov = await lab.account.call<{ Status: string; DeviceCertificate: string }>('/v1/device/provisioning/get', { ROTPublicUID: uid });
      assert.equal(prov.body.Status, 'PROVISIONED');
      assert.equal(prov.body.DeviceCertificate.trim(), second.certificate.trim());

      // Again, picked up by the periodic heartbeat (module clock, 24 h later).
      assert.equal((await lab.account.call('/v1/device/provisioning/reissue', { ROTPublicUID: uid })).status, 200);
      h.clock.advance(DAY_MS);
      await h.module.services.securityService.settled();
      const third = h.module.services.security.record.ztp!;
      assert.notEqual(third.certificate, second.certificate);
      assert.ok(new X509Certificate(third.certificate).verify(caCert.publicKey));
      // A heartbeat with nothing pending enrols nothing.
      const enrolments = logs.filter((l) => l.startsWith('security: ZTP')).length;
      h.clock.advance(DAY_MS);
      await h.module.services.securityService.settled();
      assert.equal(logs.filter((l) => l.startsWith('security: ZTP')).length, enrolments);
      assert.equal(h.module.services.security.record.ztp!.certificate, third.certificate);
    } finally {
      await h.close();
    }
  });

  it('ZTP re-issue is refused (403) for a device without a provisioned certificate, and changes nothing', async () => {
    const h = await connectedModule(lab);
    try {
      const profile = await createProfile(lab, ['PSK']);
      await ask(h, `AT+USECDEVINFO="${profile}","44"`);
      assert.equal(await ask(h, 'AT+USECDEVINFO?'), answer('+USECDEVINFO: 1,1,1'));
      const uid = h.module.services.rot.uid;
      const re = await lab.account.call('/v1/device/provisioning/reissue', { ROTPublicUID: uid });
      assert.equal(re.status, 403, JSON.stringify(re.body));
      assert.equal((await lab.account.call<{ Status: string }>('/v1/device/provisioning/get', { ROTPublicUID: uid })).body.Status, 'DISABLED');
    } finally {
      await h.close();
    }
  });
});

