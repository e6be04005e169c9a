import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtClient } from '../at-client.js';
import { AtTimeoutError, ConnectionClosedError, UrcError } from '../errors.js';
import { duplexPair, ScriptedModule, type CommandHandler } from '../testing/scripted-module.js';
import { ceregStat, UBLOX_INIT_SEQUENCE, UbloxModem } from './ublox.js';

interface SaraOptions {
  /** How registration shows after AT+CFUN=1: URCs later, already done (poll finds it), or never. */
  register?: 'urc' | 'urc-in-response' | 'immediate' | 'never';
  /** PDP type the network assigns (read back by AT+CGDCONT?). */
  pdpType?: string;
  sim?: boolean;
  /** Send +UUPSDA in the same write as the OK of AT+UPSDA. */
  uupsdaWithOk?: boolean;
  /** A +CGEV URC lands inside the answer of AT+CIMI (which has no prefix). */
  urcInCimi?: boolean;
}

const IP = '100.108.232.233';

/** A scripted SARA-R5, answering like the PS data application note (seed 000 §2.3). */
function saraR5(opts: SaraOptions = {}): CommandHandler {
  const s = { cfun: 1, n: 0, stat: 0, apn: '', echo: true };
  const later = (fn: () => void): void => void setImmediate(fn);
  return (cmd, m) => {
    let p: RegExpExecArray | null;
    if (cmd === 'ATE0') {
      m.echo = false;
      return m.ok();
    }
    if (['AT+CMEE=2', 'AT+UDCONF=1,0', 'AT&C1', 'AT&D0', 'AT+CGEREP=1', 'AT'].includes(cmd)) return m.ok();
    if (cmd === 'ATI9') return m.ok('02.05,A00.01');
    if (cmd === 'AT+CGMI') return m.ok('u-blox');
    if (cmd === 'AT+CGMM') return m.ok('SARA-R510M8S');
    if (cmd === 'AT+CGMR') return m.ok('02.05');
    if (cmd === 'AT+CGSN') return m.ok('351234567890123');
    if (cmd === 'AT+CIMI') {
      if (opts.sim === false) return m.lines('+CME ERROR: SIM not inserted');
      return opts.urcInCimi ? m.ok('+CGEV: ME PDN ACT 1', '222013456789012') : m.ok('222013456789012');
    }
    if (cmd === 'AT+CCID') return opts.sim === false ? m.lines('+CME ERROR: SIM not inserted') : m.ok('+CCID: 8939104520000000001');
    if (cmd === 'AT+CFUN?') return m.ok(`+CFUN: ${s.cfun},0`);
    if (cmd === 'AT+CFUN=0') {
      s.cfun = 0;
      s.stat = 0;
      return m.ok();
    }
    if ((p = /^AT\+CGDCONT=1,"IPV4V6","([^"]*)"$/.exec(cmd))) {
      if (s.cfun !== 0) return m.lines('+CME ERROR: operation not allowed');
      s.apn = p[1]!;
      return m.ok();
    }
    if ((p = /^AT\+CEREG=(\d)$/.exec(cmd))) {
      s.n = Number(p[1]);
      return m.ok();
    }
    if (cmd === 'AT+CFUN=1') {
      s.cfun = 1;
      const reg = opts.register ?? 'urc';
      if (reg === 'immediate') {
        s.stat = 1;
        return m.ok();
      }
      if (reg === 'urc-in-response') {
        s.stat = 1;
        return m.lines('+CEREG: 1,"0001","01A2D001",7', 'OK');
      }
      m.ok();
      if (reg === 'urc') {
        later(() => {
          s.stat = 2;
          if (s.n > 0) m.lines('+CEREG: 2');
          later(() => {
            s.stat = 1;
            if (s.n > 0) m.lines('+CEREG: 1,"0001","01A2D001",7');
          });
        });
      } else {
        s.stat = 2;
      }
      return;
    }
    if (cmd === 'AT+CEREG?') return m.ok(`+CEREG: ${s.n},${s.stat}${s.stat === 1 && s.n >= 2 ? ',"0001","01A2D001",7' : ''}`);
    if (cmd === 'AT+CGDCONT?') {
      const registered = s.stat === 1 || s.stat === 5;
      return m.ok(`+CGDCONT: 1,"${opts.pdpType ?? 'IP'}","${s.apn}","${registered ? IP : ''}",0,0,0,0,0,0`);
    }
    if (/^AT\+UPSD=0,(0,[0-3]|100,1)$/.test(cmd)) return m.ok();
    if (cmd === 'AT+UPSDA=0,3') {
      if (opts.uupsdaWithOk) return m.write(`\r\nOK\r\n\r\n+UUPSDA: 0,"${IP}"\r\n`);
      m.ok();
      return later(() => m.lines(`+UUPSDA: 0,"${IP}"`));
    }
    if ((p = /^AT\+UDNSRN=0,"([^"]+)"$/.exec(cmd))) return m.ok('+UDNSRN: "93.184.216.34"');
    if ((p = /^AT\+UPING="([^"]+)"(?:,(\d+))?$/.exec(cmd))) {
      const host = p[1]!;
      const count = Number(p[2] ?? 4);
      m.ok();
      if (host === 'bad.invalid') return later(() => m.lines('+UUPINGER: 8'));
      // All replies in one burst: none may be lost between waits.
      return later(() =>
        m.lines(...Array.from({ length: count }, (_, i) => `+UUPING: ${i + 1},32,"${host}","216.58.206.68",115,${50 + i}`)),
      );
    }
    m.lines('ERROR');
  };
}

function setup(opts: SaraOptions = {}) {
  const [host, port] = duplexPair();
  const module = new ScriptedModule(port, saraR5(opts));
  module.echo = true; // factory default
  const client = new AtClient(host, { defaultTimeoutMs: 2_000 });
  return { modem: new UbloxModem(client), module, client };
}

const ATTACH_SEQUENCE = (type: number) => [
  'AT+CFUN?',
  'AT+CFUN=0',
  'AT+CGDCONT=1,"IPV4V6","iot.apn"',
  'AT+CEREG=2',
  'AT+CFUN=1',
  'AT+CEREG?',
  'AT+CGDCONT?',
  `AT+UPSD=0,0,${type}`,
  'AT+UPSD=0,100,1',
  'AT+UPSDA=0,3',
];

describe('UbloxModem', () => {
  it('sends the ubxlib init sequence (echo on at start)', async () => {
    const { modem, module } = setup();
    await modem.init();
    assert.deepEqual(module.received, UBLOX_INIT_SEQUENCE);
    await modem.close();
  });

  it('identifies the module, tolerating a missing SIM', async () => {
    const a = setup();
    await a.modem.init();
    assert.deepEqual(await a.modem.identify(), {
      manufacturer: 'u-blox',
      model: 'SARA-R510M8S',
      revision: '02.05',
      imei: '351234567890123',
      imsi: '222013456789012',
      iccid: '8939104520000000001',
    });
    await a.modem.close();
    const b = setup({ sim: false });
    await b.modem.init();
    const id = await b.modem.identify();
    assert.equal(id.imsi, undefined);
    assert.equal(id.iccid, undefined);
    assert.equal(id.imei, '351234567890123');
    await b.modem.close();
    const c = setup({ urcInCimi: true });
    await c.modem.init();
    assert.equal((await c.modem.identify()).imsi, '222013456789012', 'a URC inside the answer is not the value');
    await c.modem.close();
  });

  it('attaches: registration by +CEREG URCs, IPv4 context -> +UPSD=0,0,0, ip from +UUPSDA', async () => {
    const { modem, module } = setup();
    await modem.init();
    module.received.length = 0;
    assert.deepEqual(await modem.attach({ apn: 'iot.apn', timeoutMs: 2_000 }), { ip: IP });
    assert.deepEqual(module.received, ATTACH_SEQUENCE(0));
    await modem.close();
  });

  it('attaches when already registered (found by the poll) and +UUPSDA comes with the OK', async () => {
    const { modem, module } = setup({ register: 'immediate', pdpType: 'IPV4V6', uupsdaWithOk: true });
    await modem.init();
    module.received.length = 0;
    assert.deepEqual(await modem.attach({ apn: 'iot.apn', timeoutMs: 2_000 }), { ip: IP });
    assert.deepEqual(module.received, ATTACH_SEQUENCE(2));
    await modem.close();
  });

  it('attaches when the registration URC arrives inside the AT+CFUN=1 response', async () => {
    const { modem } = setup({ register: 'urc-in-response', pdpType: 'IPV6' });
    await modem.init();
    assert.deepEqual(await modem.attach({ apn: 'iot.apn', timeoutMs: 2_000 }), { ip: IP });
    await modem.close();
  });

  it('fails attach with AtTimeoutError when the network never registers', async () => {
    const { modem } = setup({ register: 'never' });
    await modem.init();
    // The deadline covers the whole attach in wall time: it must leave the steps before the
    // registration wait room to finish on a loaded machine, or the timeout names another step.
    await assert.rejects(modem.attach({ apn: 'iot.apn', timeoutMs: 1_500 }), (e: unknown) => {
      assert.ok(e instanceof AtTimeoutError);
      assert.match(e.message, /registration/);
      assert.match(e.message, /last \+CEREG status 2/);
      return true;
    });
    await modem.close();
  });

  it('resolves names with +UDNSRN', async () => {
    const { modem } = setup();
    assert.equal(await modem.resolve('example.com'), '93.184.216.34');
    await modem.close();
  });

  it('pings: collects +UUPING replies, rejects on +UUPINGER', async () => {
    const { modem, module } = setup();
    const replies = await modem.ping('www.google.com');
    assert.equal(replies.length, 4);
    assert.deepEqual(replies[0], { seq: 1, size: 32, host: 'www.google.com', ip: '216.58.206.68', ttl: 115, rttMs: 50 });
    assert.deepEqual(
      replies.map((r) => r.seq),
      [1, 2, 3, 4],
    );
    assert.equal((await modem.ping('h', { count: 2 })).length, 2);
    assert.equal(module.received.at(-1), 'AT+UPING="h",2');
    await assert.rejects(modem.ping('bad.invalid'), (e: unknown) => e instanceof UrcError && e.code === 8);
    await modem.close();
  });

  it('rejects a pending attach with ConnectionClosedError when the link drops', async () => {
    const { modem, module } = setup({ register: 'never' });
    const attach = modem.attach({ apn: 'iot.apn', timeoutMs: 5_000 });
    setTimeout(() => module.port.end(), 20);
    await assert.rejects(attach, ConnectionClosedError);
  });

  it('reads the registration status from read responses and URCs', () => {
    assert.equal(ceregStat('+CEREG: 2,1,"0001","01A2D001",7'), 1);
    assert.equal(ceregStat('+CEREG: 0,5'), 5);
    assert.equal(ceregStat('+CEREG: 5,"0001","01A2D001",7'), 5);
    assert.equal(ceregStat('+CEREG: 2'), 2);
  });
});
