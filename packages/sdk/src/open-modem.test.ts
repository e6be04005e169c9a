import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
