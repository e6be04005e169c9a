import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModuleHarness } from '../../testing/harness.js';

const OK = '\r\nOK\r\n';
const urc = (...lines: string[]): string => lines.map((l) => `\r\n${l}\r\n`).join('');
const REGISTRATION_MS = 2000;

async function telit(model: 'ge910' | 'he910'): Promise<ModuleHarness> {
  const h = await ModuleHarness.create({ model });
  await h.send('ATE0\r');
  await h.advance(REGISTRATION_MS);
  h.take();
  return h;
}
const at = (h: ModuleHarness, line: string) => h.send(`${line}\r`);

describe('Telit +CREG/+CGREG URCs', () => {
  it('GE910: mode 1 and 2 report radio off, searching and registration (GSM, AcT 0)', async () => {
    const h = await telit('ge910');
    try {
      assert.equal(await at(h, 'AT+CGREG=1'), OK);
      assert.equal(await at(h, 'AT+CREG=2'), OK);
      assert.equal(await at(h, 'AT+CFUN=4'), OK + urc('+CREG: 0', '+CGREG: 0'));
      assert.equal(await at(h, 'AT+CFUN=1'), OK + urc('+CREG: 2', '+CGREG: 2'));
      assert.equal(await h.advance(REGISTRATION_MS - 1), '');
      assert.equal(await h.advance(1), urc('+CREG: 1,"2B67","01A2D001",0', '+CGREG: 1'));
      assert.equal(await at(h, 'AT+CREG?'), '\r\n+CREG: 2,1,"2B67","01A2D001",0\r\n' + OK);
      assert.equal(await at(h, 'AT+CGREG?'), '\r\n+CGREG: 1,1\r\n' + OK);
    } finally {
      await h.close();
    }
  });

  it('HE910: coverage loss reports stat 2, regained coverage the UMTS cell (AcT 2)', async () => {
    const h = await telit('he910');
    try {
      await at(h, 'AT+CGREG=2');
      h.module.services.network.setCoverage(false);
      assert.equal(await h.advance(0), urc('+CGREG: 2'));
      h.module.services.network.setCoverage(true);
      assert.equal(await h.advance(REGISTRATION_MS), urc('+CGREG: 1,"2B67","01A2D001",2'));
      assert.equal(await at(h, 'AT+CGREG=0'), OK);
      assert.equal(await at(h, 'AT+COPS=2'), OK, 'mode 0: no URC');
    } finally {
      await h.close();
    }
  });

  it('each AT instance gets its own mode; none by default', async () => {
    const h = await ModuleHarness.create({ model: 'ge910' });
    try {
      const other: Buffer[] = [];
      const second = h.module.openTerminal((b) => other.push(b));
      second.input(Buffer.from('ATE0\rAT+CGREG=1\r'));
      await h.send('ATE0\r');
      assert.equal(await h.advance(REGISTRATION_MS), '');
      assert.equal(Buffer.concat(other).toString('latin1'), `ATE0\r${OK}${OK}${urc('+CGREG: 1')}`);
      h.module.closeTerminal(second);
    } finally {
      await h.close();
    }
  });
});

describe('Telit #SGACT and the operator\'s APN table', () => {
  it('refuses an APN the operator does not serve with 555 and activates one it serves', async () => {
    const h = await telit('ge910');
    try {
      await at(h, 'AT+CMEE=1');
      assert.equal(await at(h, 'AT+CGDCONT=1,"IP","flibble"'), OK);
      assert.equal(await at(h, 'AT#SGACT=1,1'), '\r\n+CME ERROR: 555\r\n');
      assert.equal(await at(h, 'AT#SGACT?'), '\r\n#SGACT: 1,0\r\n' + OK, 'nothing activated');
      assert.equal(await at(h, 'AT+CGDCONT=1,"IP","internet"'), OK);
      assert.match(await at(h, 'AT#SGACT=1,1'), /^\r\n#SGACT: \d+\.\d+\.\d+\.\d+\r\n\r\nOK\r\n$/);
    } finally {
      await h.close();
    }
  });
});
