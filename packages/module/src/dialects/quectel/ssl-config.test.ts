import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR, OK, QuectelHost } from './quectel.testutil.js';

async function withHost(fn: (host: QuectelHost) => Promise<void>): Promise<void> {
  const host = await QuectelHost.create();
  try {
    await fn(host);
  } finally {
    await host.close();
  }
}

const all = (conn: number, v: { seclevel?: number; fmt?: string; timeout?: number; debug?: number; ca?: number; cert?: number; key?: number } = {}): string =>
  '\r\n' +
  [
    `+QSSLCFG: 1,${conn},"seclevel",${v.seclevel ?? 0}`,
    `+QSSLCFG: 1,${conn},"dataformat",${v.fmt ?? '0,0'}`,
    `+QSSLCFG: 1,${conn},"timeout",${v.timeout ?? 90}`,
    `+QSSLCFG: 1,${conn},"debug",${v.debug ?? 0}`,
    `+QSSLCFG: 1,${conn},"cacert",${v.ca ?? 0}`,
    `+QSSLCFG: 1,${conn},"clientcert",${v.cert ?? 0}`,
    `+QSSLCFG: 1,${conn},"clientkey",${v.key ?? 0}`,
  ].join('\r\n') +
  '\r\n' +
  OK;

describe('Quectel BC66 +QSSLCFG', () => {
  it('test form lists every key with its range', async () => {
    await withHost(async (host) => {
      const h = '+QSSLCFG: (1),(0-5)';
      assert.equal(
        await host.at('AT+QSSLCFG=?'),
        `\r\n${h}\r\n${h},"seclevel",(0-2)\r\n${h},"dataformat",(0,1),(0,1)\r\n${h},"timeout",(10-300)\r\n${h},"debug",(0-4)\r\n${h},"cacert"\r\n${h},"clientcert"\r\n${h},"clientkey"\r\n${OK}`,
      );
    });
  });

  it('sets and queries each key; the whole context by <contextID>,<connectID>; contexts are independent', async () => {
    await withHost(async (host) => {
      assert.equal(await host.at('AT+QSSLCFG=1,2'), all(2));
      assert.equal(await host.at('AT+QSSLCFG=1,2,"seclevel",1'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"dataformat",1,0'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"timeout",300'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"debug",4'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"seclevel"'), `\r\n+QSSLCFG: 1,2,"seclevel",1\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"dataformat"'), `\r\n+QSSLCFG: 1,2,"dataformat",1,0\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"timeout"'), `\r\n+QSSLCFG: 1,2,"timeout",300\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"debug"'), `\r\n+QSSLCFG: 1,2,"debug",4\r\n${OK}`);
      assert.equal(await host.at('AT+QSSLCFG=1,2,"cacert",5'), ERROR);
      host.write('AT+QSSLCFG=1,2,"cacert"\r');
      await host.expect('\r\n> ');
      host.write('-----BEGIN CERTIFICATE-----\r\nabc\r\n-----END CERTIFICATE-----\r\n\x1a');
      await host.expect(`\r\n+QSSLCFG: 1,2,"cacert",61\r\n${OK}`);
      host.write('AT+QSSLCFG=1,2,"cacert"\r');
      await host.expect('\r\n> ');
      // ESC cancels: OK, and the previous certificate stays.
      host.write('other\x1b');
      await host.expect(OK);
      assert.equal(await host.at('AT+QSSLCFG=1,2'), all(2, { seclevel: 1, fmt: '1,0', timeout: 300, debug: 4, ca: 61 }));
      assert.equal(await host.at('AT+QSSLCFG=1,3'), all(3));
      // The seed example's spelling.
      assert.equal(await host.at('AT+QSSLCFG=1,3,"secclevel",2'), OK);
      assert.equal(await host.at('AT+QSSLCFG=1,3,"SECLEVEL"'), `\r\n+QSSLCFG: 1,3,"seclevel",2\r\n${OK}`);
    });
  });

  it('echoes what is typed after ">" with echo on, backspace edits it', async () => {
    await withHost(async (host) => {
      host.write('ATE1\r');
      await host.expect(OK);
      host.write('AT+QSSLCFG=1,0,"clientkey"\r');
      await host.expect('AT+QSSLCFG=1,0,"clientkey"\r\r\n> ');
      host.write('kex\by\x1a');
      await host.expect('kex\by\r\n+QSSLCFG: 1,0,"clientkey",3\r\nOK\r\n'.replace('\r\nOK', '\r\n\r\nOK'));
    });
  });

  it('bad input answers ERROR and changes nothing', async () => {
    await withHost(async (host) => {
      for (const line of [
        'AT+QSSLCFG=2,0',
        'AT+QSSLCFG=3,0,"seclevel",1',
        'AT+QSSLCFG=0,0',
        'AT+QSSLCFG=1,6',
        'AT+QSSLCFG=1,-1',
        'AT+QSSLCFG=1',
        'AT+QSSLCFG=1,0,"seclevel",3',
        'AT+QSSLCFG=1,0,"seclevel",1,1',
        'AT+QSSLCFG=1,0,"timeout",9',
        'AT+QSSLCFG=1,0,"timeout",301',
        'AT+QSSLCFG=1,0,"timeout","90"',
        'AT+QSSLCFG=1,0,"debug",5',
        'AT+QSSLCFG=1,0,"dataformat",1',
        'AT+QSSLCFG=1,0,"dataformat",1,2',
        'AT+QSSLCFG=1,0,"sslversion",4',
        'AT+QSSLCFG=1,0,seclevel,1',
        'AT+QSSLCFG=1,0,"clientcert",1',
        'AT+QSSLCFG?',
      ]) {
        assert.equal(await host.at(line), ERROR, line);
      }
      // An empty certificate or one beyond 4096 bytes is refused too.
      host.write('AT+QSSLCFG=1,0,"cacert"\r');
      await host.expect('\r\n> ');
      host.write('\x1a');
      await host.expect(ERROR);
      host.write('AT+QSSLCFG=1,0,"cacert"\r');
      await host.expect('\r\n> ');
      host.write(`${'A'.repeat(4097)}\x1a`);
      await host.expect(ERROR);
      assert.equal(await host.at('AT+QSSLCFG=1,0'), all(0));
    });
  });

  it('settings are lost at power-down (a new module on the same NVM starts from the defaults)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'modemlab-bc66-'));
    try {
      let host = await QuectelHost.create({ stateDir });
      try {
        assert.equal(await host.at('AT+QSSLCFG=1,1,"seclevel",1'), OK);
        host.write('AT+QSSLCFG=1,1,"cacert"\r');
        await host.expect('\r\n> ');
        host.write('abc\x1a');
        await host.expect(`\r\n+QSSLCFG: 1,1,"cacert",3\r\n${OK}`);
      } finally {
        await host.close();
      }
      host = await QuectelHost.create({ stateDir });
      try {
        assert.equal(await host.at('AT+QSSLCFG=1,1'), all(1));
      } finally {
        await host.close();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
