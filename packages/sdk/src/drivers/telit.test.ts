import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { AtClient } from '../at-client.js';
import { AtError, UnsupportedFeatureError } from '../errors.js';
import { duplexPair, ScriptedModule, type CommandHandler } from '../testing/scripted-module.js';
import { TelitModem } from './telit.js';

/** A scripted Telit secure socket in command mode, answering as seed 003 prints. */
function telit(model: string, state: { stored: Map<number, Buffer>; peer: Buffer[]; inbox: Buffer; commands: string[]; closed: boolean }): CommandHandler {
  let enabled = false;
  return async (cmd, m) => {
    state.commands.push(cmd);
    let p: RegExpExecArray | null;
    if (cmd === 'ATE0') {
      m.echo = false;
      return m.ok();
    }
    if (cmd === 'AT+CMEE=2') return m.ok();
    if (cmd === 'AT+CGMI') return m.ok('Telit');
    if (cmd === 'AT+CGMM') return m.ok(model);
    if (cmd === 'AT#SSLEN?') return m.ok(`#SSLEN: 1,${enabled ? 1 : 0}`);
    if (cmd === 'AT#SSLEN=1,1') {
      if (enabled) return m.lines('+CME ERROR: SSL already activated');
      enabled = true;
      return m.ok();
    }
    if (!enabled && cmd.startsWith('AT#SSL')) return m.lines('+CME ERROR: SSL not activated');
    if ((p = /^AT#SSLSECDATA=1,1,([012]),(\d+)$/.exec(cmd))) {
      m.write('\r\n> ');
      const data = await m.readRaw(Number(p[2]) + 1);
      assert.equal(data.at(-1), 0x1a, 'security data ends with Ctrl-Z');
      state.stored.set(Number(p[1]), data.subarray(0, -1));
      return m.ok();
    }
    if ((p = /^AT#SSLSECDATA=1,2,([012])$/.exec(cmd))) {
      const data = state.stored.get(Number(p[1]));
      return data ? m.ok(`#SSLSECDATA: 1,${p[1]}`, ...data.toString().trimEnd().split('\n')) : m.lines('+CME ERROR: SSL certs and keys wrong or not stored');
    }
    if (/^AT#SSLSECCFG=1,\d,[012]$/.test(cmd) || /^AT#SSLCFG=1,1,300,90,100,50,1$/.test(cmd)) return m.ok();
    if ((p = /^AT#SSLD=1,(\d+),"([^"]+)",0,1$/.exec(cmd))) {
      if (p[2] === 'refused.lab') return m.lines('+CME ERROR: SSL error during handshake');
      m.ok();
      // The server speaks first.
      return void setImmediate(() => m.lines(`SSLSRING: 1,${state.inbox.length}`));
    }
    if ((p = /^AT#SSLSENDEXT=1,(\d+)$/.exec(cmd))) {
      m.write('\r\n> ');
      state.peer.push(await m.readRaw(Number(p[1])));
      return m.ok();
    }
    if ((p = /^AT#SSLRECV=1,(\d+),1$/.exec(cmd))) {
      if (state.inbox.length === 0) return m.ok('#SSLRECV: 0', state.closed ? 'DISCONNECTED' : 'TIMEOUT');
      const n = Math.min(Number(p[1]), state.inbox.length);
      const data = state.inbox.subarray(0, n);
      state.inbox = state.inbox.subarray(n);
      m.write(Buffer.concat([Buffer.from(`\r\n#SSLRECV: ${n}\r\n`), data, Buffer.from('\r\n\r\nOK\r\n')]));
      // Everything read and the server gone: NO CARRIER (seed 003 §4.5.2 note).
      if (state.inbox.length === 0 && !state.closed) {
        state.closed = true;
        setImmediate(() => m.lines('NO CARRIER'));
      }
      return;
    }
    if (cmd === 'AT#SSLH=1') return m.lines('+CME ERROR: SSL not connected');
    m.lines('ERROR');
  };
}

function setup(model = 'GE910-QUAD', inbox = Buffer.alloc(0)) {
  const [host, port] = duplexPair();
  const state = { stored: new Map<number, Buffer>(), peer: [] as Buffer[], inbox, commands: [] as string[], closed: false };
  const module = new ScriptedModule(port, telit(model, state));
  module.echo = true;
  const modem = new TelitModem(new AtClient(host, { defaultTimeoutMs: 2_000 }));
  return { modem, module, state };
}

describe('TelitModem', () => {
  it('enables the secure socket once and stores security data as PEM with LF line ends, keys as PKCS#1', async () => {
    const { modem, state } = setup();
    try {
      await modem.init();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const pkcs8 = (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\r\n');
      await modem.certificates.import('private-key', 'key', pkcs8);
      const stored = state.stored.get(2)!.toString();
      assert.match(stored, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      assert.ok(!stored.includes('\r'));
      await modem.certificates.import('ca', 'root', '-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----');
      assert.equal(state.stored.get(1)!.toString(), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      await modem.certificates.import('client-cert', 'me', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
      assert.deepEqual(await modem.certificates.list(), [
        { kind: 'client-cert', name: 'me' },
        { kind: 'ca', name: 'root' },
      ]);
      assert.ok(!state.commands.includes('AT#SSLSECDATA=1,2,2'), 'the key is never read back');
      assert.equal(state.commands.filter((c) => c === 'AT#SSLEN=1,1').length, 1);
      await assert.rejects(modem.certificates.import('ca', 'big', `-----BEGIN CERTIFICATE-----\n${'A'.repeat(2100)}\n-----END CERTIFICATE-----\n`), RangeError);
    } finally {
      await modem.close();
    }
  });

  it('maps auth mode and cipher suites per family; what a family lacks is UnsupportedFeatureError', async () => {
    const ge = setup('GE910-QUAD');
    const he = setup('HE910');
    try {
      await ge.modem.init();
      await he.modem.init();
      await ge.modem.tls.configure(1, { cipherSuite: 0x0035 });
      await he.modem.tls.configure(1, { cipherSuite: 0x002f, ca: 'x' });
      await ge.modem.certificates.import('ca', 'root', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      await assert.rejects(ge.modem.tls.configure(1, { ca: 'other' }), TypeError);
      await assert.rejects(ge.modem.tls.configure(1, { cipherSuite: 0x002f }), UnsupportedFeatureError);
      await assert.rejects(ge.modem.tls.configure(1, { ca: 'root', hostname: 'h' }), UnsupportedFeatureError);
      await assert.rejects(ge.modem.tls.configure(2, {}), RangeError);
      await assert.rejects(ge.modem.connect({ host: 'h', port: 1 }), UnsupportedFeatureError);
      assert.ok(ge.state.commands.includes('AT#SSLSECCFG=1,3,0'));
      assert.ok(he.state.commands.includes('AT#SSLSECCFG=1,3,1'));
    } finally {
      await ge.modem.close();
      await he.modem.close();
    }
  });

  it('carries every byte value both ways (#SSLSENDEXT, #SSLRECV read by count) and ends on NO CARRIER', async () => {
    // Data that looks like AT text: line ends, a final result, Ctrl-Z, a prompt.
    const incoming = Buffer.concat([Buffer.from('\r\nOK\r\n> \x1a'), Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 256))]);
    const { modem, state } = setup('GE910-QUAD', incoming);
    try {
      await modem.init();
      const socket = await modem.connect({ host: 'server.lab', port: 443, tls: { profile: 1 } });
      const outgoing = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
      socket.write(outgoing);
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      assert.ok(Buffer.concat(chunks).equals(incoming));
      assert.ok(Buffer.concat(state.peer).equals(outgoing));
      assert.ok(state.peer.every((b) => b.length <= 1023));
      assert.ok(state.commands.filter((c) => c.startsWith('AT#SSLRECV')).every((c) => c === 'AT#SSLRECV=1,1000,1'));
    } finally {
      await modem.close();
    }
  });

  it('rejects a failed handshake with the module error', async () => {
    const { modem } = setup();
    try {
      await modem.init();
      await assert.rejects(modem.connect({ host: 'refused.lab', port: 443, tls: { profile: 1 } }), (e: unknown) => e instanceof AtError && /handshake/.test(e.message));
    } finally {
      await modem.close();
    }
  });
});
