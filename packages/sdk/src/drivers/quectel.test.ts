import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtClient } from '../at-client.js';
import { TlsHandshakeError, UnsupportedFeatureError, UrcError } from '../errors.js';
import { duplexPair, ScriptedModule, type CommandHandler } from '../testing/scripted-module.js';
import { QuectelModem } from './quectel.js';

interface State {
  cfg: Map<string, string>;
  peer: Buffer[];
  commands: string[];
  /** What the server sends once the connection is open, then whether it closes. */
  serverSends: Buffer;
  serverCloses: boolean;
  /** Spell the send result as the seed's example does. */
  seedSpelling: boolean;
}

/** A scripted BC66 answering as seed 004 prints (hex data format). */
function bc66(s: State): CommandHandler {
  return async (cmd, m) => {
    s.commands.push(cmd);
    let p: RegExpExecArray | null;
    if (cmd === 'ATE0') {
      m.echo = false;
      return m.ok();
    }
    if (cmd === 'AT+CMEE=1') return m.ok();
    if ((p = /^AT\+QSSLCFG=1,([0-5]),"(seclevel|dataformat)",(.*)$/.exec(cmd))) {
      s.cfg.set(`${p[1]}.${p[2]}`, p[3]!);
      return m.ok();
    }
    if ((p = /^AT\+QSSLCFG=1,([0-5]),"(cacert|clientcert|clientkey)"$/.exec(cmd))) {
      m.write('\r\n> ');
      const pem = await m.readUntil(0x1a);
      s.cfg.set(`${p[1]}.${p[2]}`, pem.toString());
      return m.ok(`+QSSLCFG: 1,${p[1]},"${p[2]}",${pem.length}`);
    }
    if ((p = /^AT\+QSSLOPEN=1,([0-5]),"([^"]+)",(\d+),0$/.exec(cmd))) {
      const conn = p[1];
      m.ok();
      if (p[2] === 'bad.lab') return void setImmediate(() => m.lines(`+QSSLOPEN: 1,${conn},-3`));
      return void setImmediate(() => {
        m.lines(`+QSSLOPEN: 1,${conn},0`);
        // Pushed data, split at 650 bytes per URC in hex format.
        for (let i = 0; i < s.serverSends.length; i += 650) {
          const part = s.serverSends.subarray(i, i + 650);
          m.lines(`+QSSLURC: "recv",1,${conn},${part.length},"${part.toString('hex').toUpperCase()}"`);
        }
        if (s.serverCloses) m.lines(`+QSSLURC: "closed",1,${conn}`);
      });
    }
    if ((p = /^AT\+QSSLSEND=1,([0-5]),(\d+)$/.exec(cmd))) {
      m.write('\r\n> ');
      const hex = await m.readRaw(Number(p[2]) * 2);
      s.peer.push(Buffer.from(hex.toString(), 'hex'));
      return m.lines('OK', `${s.seedSpelling ? '+QSSSEND' : '+QSSLSEND'}: 1,${p[1]},0`);
    }
    if ((p = /^AT\+QSSLCLOSE=1,([0-5])$/.exec(cmd))) return m.lines('OK', `+QSSLCLOSE: 1,${p[1]},0`);
    m.lines('ERROR');
  };
}

function setup(over: Partial<State> = {}) {
  const [host, port] = duplexPair();
  const state: State = { cfg: new Map(), peer: [], commands: [], serverSends: Buffer.alloc(0), serverCloses: false, seedSpelling: false, ...over };
  const module = new ScriptedModule(port, bc66(state));
  module.echo = true;
  const modem = new QuectelModem(new AtClient(host, { defaultTimeoutMs: 2_000 }));
  return { modem, state };
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('QuectelModem', () => {
  it('writes a connection\'s seclevel, hex data format and PEM material; cannot list a store it has not', async () => {
    const { modem, state } = setup();
    try {
      await modem.init();
      await modem.certificates.import('ca', 'root', PEM);
      await modem.certificates.import('client-cert', 'me', PEM);
      await modem.certificates.import('private-key', 'mine', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
      await modem.tls.configure(5, { ca: 'root', clientCert: 'me', clientKey: 'mine' });
      assert.equal(state.cfg.get('5.seclevel'), '2');
      assert.equal(state.cfg.get('5.dataformat'), '1,1');
      assert.equal(state.cfg.get('5.cacert'), PEM);
      assert.match(state.cfg.get('5.clientkey')!, /BEGIN PRIVATE KEY/);
      await assert.rejects(modem.certificates.list(), UnsupportedFeatureError);
      await assert.rejects(modem.tls.configure(0, { ca: 'root', cipherSuite: 0x002f }), UnsupportedFeatureError);
      await assert.rejects(modem.tls.configure(0, { ca: 'nope' }), TypeError);
      await assert.rejects(modem.tls.configure(6, {}), RangeError);
    } finally {
      await modem.close();
    }
  });

  it('sends in hex slices of at most 730 bytes, receives pushed URCs and ends on "closed"', async () => {
    const incoming = Buffer.concat([Buffer.from('"\r\nOK\r\n,\x1a'), Buffer.from(Array.from({ length: 2000 }, (_, i) => i % 256))]);
    for (const seedSpelling of [false, true]) {
      const { modem, state } = setup({ serverSends: incoming, serverCloses: true, seedSpelling });
      try {
        await modem.init();
        const socket = await modem.connect({ host: 'server.lab', port: 8164, tls: { profile: 5 } });
        const outgoing = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 3) % 256));
        const written = new Promise<void>((resolve, reject) => socket.write(outgoing, (e) => (e ? reject(e) : resolve())));
        const chunks: Buffer[] = [];
        for await (const chunk of socket) chunks.push(chunk as Buffer);
        await written.catch(() => {});
        assert.ok(Buffer.concat(chunks).equals(incoming));
        assert.ok(Buffer.concat(state.peer).equals(outgoing));
        assert.deepEqual(
          state.peer.map((b) => b.length),
          [730, 730, 540],
        );
      } finally {
        await modem.close();
      }
    }
  });

  it('rejects a failed open with a typed error caused by the +QSSLOPEN error code', async () => {
    const { modem } = setup();
    try {
      await modem.init();
      await assert.rejects(modem.connect({ host: 'bad.lab', port: 1, tls: { profile: 0 } }), (e: unknown) => e instanceof TlsHandshakeError && e.kind === 'certificate' && e.cause instanceof UrcError && e.cause.code === -3);
      await assert.rejects(modem.connect({ host: 'x', port: 1 }), UnsupportedFeatureError);
    } finally {
      await modem.close();
    }
  });

  it('closes with +QSSLCLOSE and waits for its result', async () => {
    const { modem, state } = setup();
    try {
      await modem.init();
      const socket = await modem.connect({ host: 'server.lab', port: 8164, tls: { profile: 2 } });
      await new Promise<void>((resolve) => socket.end(resolve));
      assert.ok(state.commands.includes('AT+QSSLCLOSE=1,2'));
    } finally {
      await modem.close();
    }
  });
});
