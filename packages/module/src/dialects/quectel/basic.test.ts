import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR, OK, QuectelHost, urc } from './quectel.testutil.js';

async function withHost(fn: (host: QuectelHost) => Promise<void>): Promise<void> {
  const host = await QuectelHost.create();
  try {
    await fn(host);
  } finally {
    await host.close();
  }
}

const info = (...lines: string[]): string => `\r\n${lines.join('\r\n')}\r\n${OK}`;

describe('Quectel BC66 basics', () => {
  it('identifies itself', async () => {
    await withHost(async (host) => {
      const imei = host.h.module.services.identity.imei;
      assert.match(imei, /^\d{15}$/);
      assert.equal(await host.at('ATI'), info('Quectel_Ltd', 'Quectel_BC66', 'Revision: BC66NBR01A10'));
      assert.equal(await host.at('AT+CGMI'), info('Quectel_Ltd'));
      assert.equal(await host.at('AT+CGMM'), info('Quectel_BC66'));
      assert.equal(await host.at('AT+CGMR'), info('Revision: BC66NBR01A10'));
      assert.equal(await host.at('AT+CGSN=1'), info(`+CGSN: ${imei}`));
      assert.equal(await host.at('AT+CGSN'), info(`+CGSN: ${imei}`));
      assert.equal(await host.at('AT+CGSN=3'), info('+CGSN: 01'));
      assert.equal(await host.at('AT+CGSN=?'), info('+CGSN: (0-3)'));
    });
  });

  it('answers registration, attach, address and functionality; +CEREG URCs follow +CFUN', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+CEREG?'), info('+CEREG: 0,1'));
      assert.equal(await host.at('AT+CGATT?'), info('+CGATT: 1'));
      assert.equal(await host.at('AT+CGPADDR=1'), info('+CGPADDR: 1,"100.108.232.233"'));
      assert.equal(await host.at('AT+CFUN?'), info('+CFUN: 1'));
      assert.equal(await host.at('AT+CEREG=1'), OK);
      assert.equal(await host.at('AT+CFUN=0'), OK);
      await host.expect(urc('+CEREG: 0'));
      assert.equal(await host.at('AT+CGATT?'), info('+CGATT: 0'));
      // No network: an SSL open reports a connection error.
      assert.equal(await host.at('AT+QSSLOPEN=1,0,"127.0.0.1",443,0'), OK);
      await host.expect(urc('+QSSLOPEN: 1,0,-2'));
      assert.equal(await host.at('AT+CFUN=1'), OK);
      await host.advance(3000);
      await host.expect(urc('+CEREG: 2') + urc('+CEREG: 1'));
    });
  });

  it('+QSCLK and the seed spelling +QSCCLK set the same sleep mode', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+QSCCLK=2'), OK);
      assert.equal(await host.at('AT+QSCLK?'), info('+QSCLK: 2'));
      assert.equal(await host.at('AT+QSCLK=0'), OK);
      assert.equal(await host.at('AT+QSCCLK?'), info('+QSCLK: 0'));
      assert.equal(await host.at('AT+QSCLK=?'), info('+QSCLK: (0-2)'));
      assert.equal(await host.at('AT+QSCLK=3'), ERROR);
      assert.equal(await host.at('AT+QSCLK?'), info('+QSCLK: 0'));
    });
  });

  it('errors: ERROR with +CMEE=0, numbers with 1, text with 2; unknown commands are plain ERROR', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+CFUN=4'), ERROR);
      assert.equal(await host.at('AT+CMEE=1'), OK);
      assert.equal(await host.at('AT+CFUN=4'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await host.at('AT+CGMI?'), '\r\n+CME ERROR: 4\r\n');
      assert.equal(await host.at('AT+CMEE=2'), OK);
      assert.equal(await host.at('AT+CFUN=4'), '\r\n+CME ERROR: Incorrect parameters\r\n');
      assert.equal(await host.at('AT+USOCR=6'), ERROR);
      assert.equal(await host.at('AT+CMEE?'), info('+CMEE: 2'));
      assert.equal(await host.at('AT+CFUN?'), info('+CFUN: 1'));
    });
  });
});
