import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FtpCommandError, type AtClient, type UbloxModem } from '@modemlab/sdk';
import { FTP_PASSWORD, FTP_USER, startFtpServer, type TestFtpServer } from '../packages/module/src/services/ftp/ftp.testutil.js';
import { startVsftpd, VSFTPD } from '../packages/module/src/services/ftp/vsftpd.testutil.js';
import { makePki } from '../packages/module/src/services/tls/tls.testutil.js';
import { ubloxModemOver, type UbloxOver } from './ublox-modem.testutil.js';

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const MB = 1024 * 1024;

/** modem.ftp against a virtual SARA-R5 and ftp-srv on loopback, over TCP and a PTY, on the system clock. */
for (const transport of ['tcp', 'pty'] as const) {
  describe(`UbloxModem.ftp on a virtual SARA-R5 over ${transport}`, { timeout: 60_000 }, () => {
    let dir: string;
    let lab: UbloxOver;
    let client: AtClient;
    let modem: UbloxModem;
    let srv: TestFtpServer;
    const big = randomBytes(MB);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-ftp-'));
      srv = await startFtpServer({ files: { 'big.bin': big, 'hello.txt': 'hello' } });
      lab = await ubloxModemOver(transport, { dir, hosts: { 'ftp.test': '127.0.0.1' } });
      ({ client, modem } = lab);
      await modem.ftp.connect({ host: 'ftp.test', port: srv.port, user: FTP_USER, password: FTP_PASSWORD });
    });

    after(async () => {
      await modem?.ftp.end().catch(() => {});
      await lab?.close();
      await srv?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('makes and enters a directory, lists, renames, deletes, and reports a refusal with its reply code', async () => {
      await modem.ftp.mkdir('work');
      assert.ok(existsSync(join(srv.root, 'work')));
      await modem.ftp.rename('hello.txt', 'work/hi.txt');
      await modem.ftp.cd('work');
      assert.deepEqual(await modem.ftp.list(), ['hi.txt']);
      assert.match(await modem.ftp.info('hi.txt'), /hi\.txt$/);
      await modem.ftp.delete('hi.txt');
      const refused = await modem.ftp.delete('hi.txt').catch((e: unknown) => e);
      assert.ok(refused instanceof FtpCommandError);
      assert.equal(refused.errorClass, 0);
      assert.equal(refused.errorCode, 550);
      await modem.ftp.cd('..');
      await modem.ftp.rmdir('work');
      assert.ok(!existsSync(join(srv.root, 'work')));
      assert.deepEqual((await modem.ftp.list()).sort(), ['big.bin']);
    });

    it('moves 1 MB both ways through the module file system', async () => {
      await modem.ftp.getToFile('big.bin', 'local.bin');
      assert.ok((await modem.files.download('local.bin')).equals(big));
      await modem.ftp.putFromFile('local.bin', 'back.bin');
      assert.ok(srv.read('back.bin').equals(big));
      await modem.files.delete('local.bin');
    });

    it('streams 1 MB both ways through direct link', async () => {
      const got = await collect(await modem.ftp.get('big.bin'));
      assert.ok(got.equals(big));
      await modem.ftp.put('streamed.bin', Readable.from([big.subarray(0, MB / 2), big.subarray(MB / 2)]));
      assert.ok(srv.read('streamed.bin').equals(big));
      // The module answers commands again afterwards.
      assert.ok((await modem.ftp.list()).includes('streamed.bin'));
    });

    it('works in active mode (PORT) too', async () => {
      await modem.ftp.end();
      await modem.ftp.connect({ host: 'ftp.test', port: srv.port, user: FTP_USER, password: FTP_PASSWORD, passive: false });
      assert.ok((await collect(await modem.ftp.get('big.bin'))).equals(big));
      await modem.ftp.put('active.bin', big);
      assert.ok(srv.read('active.bin').equals(big));
    });

    it('FTPS in active mode against vsftpd (PASV refused, TLS forced, session reuse required): 1 MB both ways', { skip: VSFTPD ? false : 'vsftpd is not installed' }, async () => {
      const pki = makePki();
      const ftps = await startVsftpd({ 'big.bin': big }, { tls: { cert: pki.server.cert, key: pki.server.key } });
      try {
        await modem.ftp.end();
        await client.send('AT+USECPRF=1,0,0');
        await modem.ftp.connect({ host: 'ftp.test', port: ftps.port, user: 'anonymous', password: '', passive: false, secure: { profile: 1 } });
        assert.ok((await collect(await modem.ftp.get('big.bin'))).equals(big));
        await modem.ftp.getToFile('big.bin', 'tls.bin');
        assert.ok((await modem.files.download('tls.bin')).equals(big));
        await modem.ftp.cd('upload');
        await modem.ftp.putFromFile('tls.bin', 'from-file.bin');
        assert.ok(ftps.read('upload/from-file.bin').equals(big));
        await modem.ftp.put('streamed.bin', Readable.from([big.subarray(0, MB / 2), big.subarray(MB / 2)]));
        assert.ok(ftps.read('upload/streamed.bin').equals(big));
        assert.deepEqual((await modem.ftp.list()).sort(), ['from-file.bin', 'streamed.bin']);
        await modem.files.delete('tls.bin');
        await modem.ftp.end();
      } finally {
        await ftps.close();
        pki.dispose();
      }
    });
  });
}
