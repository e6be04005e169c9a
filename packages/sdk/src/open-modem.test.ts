import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceChunk } from '@modemlab/at';
import { QuectelModem } from './drivers/quectel.js';
import { TelitModem } from './drivers/telit.js';
import { UbloxModem } from './drivers/ublox.js';
import { UnsupportedFeatureError } from './errors.js';
import { openModem, vendorOf } from './open-modem.js';
import { duplexPair, ScriptedModule } from './testing/scripted-module.js';

/** A module that answers +CGMI and ATI as given (undefined: ERROR), and OK to anything else. */
function fake(cgmi: string[] | undefined, ati: string[] | undefined) {
  const [host, port] = duplexPair();
  const module = new ScriptedModule(port, (cmd, m) => {
    if (cmd === 'AT+CGMI') return cgmi ? m.ok(...cgmi) : m.lines('ERROR');
    if (cmd === 'ATI') return ati ? m.ok(...ati) : m.lines('ERROR');
    if (cmd === 'AT#SSLEN?') return m.ok('#SSLEN: 1,0');
    m.ok();
  });
  module.echo = true;
  return { host, module };
}

describe('openModem', () => {
  it('names the vendor in +CGMI and ATI answers', () => {
    assert.equal(vendorOf('u-blox'), 'u-blox');
    assert.equal(vendorOf('Manufacturer: u-blox'), 'u-blox');
    assert.equal(vendorOf('Telit'), 'telit');
    assert.equal(vendorOf('Quectel_Ltd'), 'quectel');
    assert.equal(vendorOf('Quectel'), 'quectel');
    assert.equal(vendorOf('SIMCOM_Ltd'), undefined);
  });

  for (const [cgmi, ati, type, init] of [
    [['u-blox'], undefined, UbloxModem, 'ATE0'],
    [['Telit'], undefined, TelitModem, 'AT#SSLEN=1,1'],
    [['Quectel_Ltd'], undefined, QuectelModem, 'AT+CMEE=1'],
    // +CGMI refused: ATI decides.
    [undefined, ['Quectel_Ltd', 'Quectel_BC66', 'Revision: BC66NBR01A07'], QuectelModem, 'AT+CMEE=1'],
  ] as const) {
    it(`returns a ${type.name} for +CGMI ${JSON.stringify(cgmi)} / ATI ${JSON.stringify(ati)}, initialised`, async () => {
      const { host, module } = fake(cgmi as string[] | undefined, ati as string[] | undefined);
      const modem = await openModem({ stream: host, client: { defaultTimeoutMs: 2_000 } });
      try {
        assert.ok(modem instanceof type);
        assert.ok(module.received.includes(init), `init sent ${init}: ${module.received.join(' ')}`);
      } finally {
        await modem.close();
      }
    });
  }

  it('refuses an unknown module with UnsupportedFeatureError and closes the link', async () => {
    const { host } = fake(['SIMCOM_Ltd'], ['SIMCOM_Ltd', 'SIMCOM_SIM7000E']);
    await assert.rejects(openModem({ stream: host, client: { defaultTimeoutMs: 2_000 } }), (e: unknown) => e instanceof UnsupportedFeatureError && /SIMCOM/.test(e.message));
    assert.ok(host.destroyed);
  });

  it('takes a logger and the AT trace at the top level', async () => {
    const { host } = fake(['u-blox'], undefined);
    const records: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
    const at = (level: string) => (obj: object, msg?: string) => void records.push({ level, obj: obj as Record<string, unknown>, msg });
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const chunks: TraceChunk[] = [];
    const modem = await openModem({ stream: host, vendor: 'u-blox', logger, trace: (c) => void chunks.push(c), client: { defaultTimeoutMs: 2_000 } });
    await modem.close();
    // Every command at debug with its final result; the open and the close at info.
    const commands = records.filter((r) => r.msg === 'at command').map((r) => r.obj.command);
    assert.deepEqual(commands.slice(0, 2), ['AT+CGMI', 'ATE0']);
    assert.ok(records.filter((r) => r.msg === 'at command').every((r) => r.level === 'debug' && r.obj.final === 'OK'));
    assert.deepEqual(records.find((r) => r.msg === 'modem opened'), { level: 'info', obj: { vendor: 'u-blox' }, msg: 'modem opened' });
    assert.equal(records.at(-1)?.msg, 'link closed');
    // The trace saw the bytes both ways.
    const sent = Buffer.concat(chunks.filter((c) => c.kind === 'chunk' && c.dir === 'to-module').map((c) => (c as { bytes: Buffer }).bytes)).toString();
    assert.ok(sent.startsWith('AT+CGMI\rATE0\r'), sent);
    assert.ok(chunks.some((c) => c.kind === 'chunk' && c.dir === 'from-module'));
  });

  it('skips the init sequence when asked', async () => {
    const { host, module } = fake(['Telit'], undefined);
    const modem = await openModem({ stream: host, init: false, client: { defaultTimeoutMs: 2_000 } });
    try {
      assert.deepEqual(module.received, ['AT+CGMI']);
    } finally {
      await modem.close();
    }
  });
});
