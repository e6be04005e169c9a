import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';

/**
 * The shared 27.007 factories with each vendor's data: the same grammar, each product's
 * own values, numbers and texts. A rejected command changes nothing.
 */
const OK = '\r\nOK\r\n';
const info = (...lines: string[]): string => `\r\n${lines.join('\r\n')}\r\n${OK}`;
const REGISTRATION_MS = 2000;

async function withModule(model: string, fn: (at: (line: string) => Promise<string>, h: ModuleHarness) => Promise<void>): Promise<void> {
  const h = await ModuleHarness.create({ model });
  try {
    await h.send('ATE0\r');
    await fn((line) => h.send(`${line}\r`), h);
  } finally {
    await h.close();
  }
}

describe('shared 27.007 commands, per product', () => {
  it('+CFUN: u-blox resets with 15/16 and <rst>=1 and prints <stk_mode>; the BC66 has 0 and 1 only', async () => {
    await withModule('sara-r5', async (at) => {
      assert.equal(await at('AT+CFUN=?'), info('+CFUN: (0,1,4,15,16),(0-1)'));
      assert.equal(await at('AT+CFUN?'), info('+CFUN: 1,0'));
    });
    await withModule('bc66', async (at) => {
      assert.equal(await at('AT+CFUN=?'), info('+CFUN: (0,1),(0)'));
      assert.equal(await at('AT+CMEE=1'), OK);
      assert.equal(await at('AT+CFUN=1,1'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await at('AT+CFUN=16'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await at('AT+CFUN?'), info('+CFUN: 1'));
    });
  });

  it('+CSQ: u-blox measures in coverage before it registers (<ber> 99); the BC66 only once registered (<ber> 0)', async () => {
    await withModule('sara-r5', async (at) => {
      assert.equal(await at('AT+CSQ'), info('+CSQ: 21,99'));
    });
    await withModule('bc66', async (at, h) => {
      assert.equal(await at('AT+CFUN=0'), OK);
      assert.equal(await at('AT+CFUN=1'), OK);
      assert.equal(await at('AT+CSQ'), info('+CSQ: 99,99'));
      await h.advance(REGISTRATION_MS);
      assert.equal(await at('AT+CSQ'), info('+CSQ: 21,0'));
    });
  });

  it('+CPIN: READY; entering a PIN is "operation not allowed" in the vendor table', async () => {
    await withModule('ge910', async (at) => {
      assert.equal(await at('AT+CPIN?'), info('+CPIN: READY'));
      assert.equal(await at('AT+CMEE=2'), OK);
      assert.equal(await at('AT+CPIN="1234"'), '\r\n+CME ERROR: operation not allowed\r\n');
    });
  });

  it('+CCLK: a time that is no date is the vendor bad parameter, and the clock keeps its time', async () => {
    await withModule('sara-r5', async (at) => {
      assert.equal(await at('AT+CCLK="24/02/29,23:59:59+04"'), OK);
      assert.equal(await at('AT+CMEE=1'), OK);
      assert.equal(await at('AT+CCLK="23/02/29,00:00:00+00"'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await at('AT+CCLK?'), info('+CCLK: "24/02/29,23:59:59+04"'));
    });
  });

  it('+COPS: a refused selection leaves mode and format as they were', async () => {
    await withModule('ge910', async (at, h) => {
      await h.advance(REGISTRATION_MS);
      assert.equal(await at('AT+CMEE=1'), OK);
      assert.equal(await at('AT+COPS=1,2,"00101",7'), '\r\n+CME ERROR: 4\r\n');
      assert.equal(await at('AT+COPS=3'), '\r\n+CME ERROR: 4\r\n');
      assert.equal(await at('AT+COPS?'), info('+COPS: 0,0,"Nutaq Cat-M1 Network",0'));
      assert.equal(await at('AT+COPS=3,2'), OK);
      assert.equal(await at('AT+COPS?'), info('+COPS: 0,2,"00101",0'));
    });
  });
});
