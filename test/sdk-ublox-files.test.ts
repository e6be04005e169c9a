import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { THAWTE_MD5, THAWTE_PEM } from '../packages/module/src/dialects/ublox/usecmng.testutil.js';
import { createModule, connectInProcess, servePty, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, UbloxModem, openTransport } from '@modemlab/sdk';

type Transport = 'in-process' | 'tcp' | 'pty';

/** modem.files against a virtual SARA-R5, through each transport, on the system clock. */
for (const transport of ['in-process', 'tcp', 'pty'] as Transport[]) {
  describe(`UbloxModem.files on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let module: VirtualModule;
    let client: AtClient;
    let modem: UbloxModem;
    let stop: () => Promise<void> = async () => {};

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-files-'));
      module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), log: () => {} });
      if (transport === 'in-process') {
        client = new AtClient(connectInProcess(module));
      } else if (transport === 'tcp') {
        const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
        stop = () => l.close();
        client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
      } else {
        const l = await servePty(module, { path: join(dir, 'ttyModem') });
        stop = () => l.close();
        client = new AtClient(await openTransport({ path: l.path }));
      }
      modem = new UbloxModem(client);
      await modem.init();
    });

    after(async () => {
      await client?.close();
      await stop();
      await module?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('round-trips 1 MB of random bytes with progress, and lists, sizes, frees and deletes', async () => {
      const free = await modem.files.free();
      assert.equal(free, 8 * 1024 * 1024);
      const data = randomBytes(1024 * 1024);
      const progress: Array<[number, number]> = [];
      await modem.files.upload('big.bin', data, { onProgress: (sent, total) => progress.push([sent, total]) });
      assert.equal(progress.length, 16);
      assert.deepEqual(progress.at(-1), [data.length, data.length]);
      assert.ok(progress.every(([sent], i) => i === 0 || sent > progress[i - 1]![0]));
      await modem.files.upload('small, "odd" name'.replace(/"/g, "'"), Buffer.from('hi'));
      assert.deepEqual(await modem.files.list(), ['big.bin', "small, 'odd' name"]);
      assert.equal(await modem.files.size('big.bin'), data.length);
      assert.equal(await modem.files.free(), free - data.length - 2);
      const back = await modem.files.download('big.bin');
      assert.ok(back.equals(data), 'the bytes come back whole');
      assert.deepEqual(module.services.files.read('big.bin'), data);
      await modem.files.delete('big.bin');
      await modem.files.delete("small, 'odd' name");
      assert.deepEqual(await modem.files.list(), []);
      assert.equal(await modem.files.free(), free);
    });

    it('replaces a file on upload, and reports the module errors', async () => {
      await modem.files.upload('f', Buffer.from('first version'));
      await modem.files.upload('f', Buffer.from('second'), { blockSize: 4 });
      assert.equal((await modem.files.download('f', { blockSize: 3 })).toString(), 'second');
      await assert.rejects(modem.files.download('missing'), (e: unknown) => e instanceof CmeError && e.code === 1612);
      await assert.rejects(modem.files.delete('missing'), (e: unknown) => e instanceof CmeError && e.code === 1612);
      await assert.rejects(modem.files.upload('x'.repeat(249), Buffer.from('x')), (e: unknown) => e instanceof CmeError && e.code === 1638);
      await assert.rejects(modem.files.upload('huge', Buffer.alloc(9 * 1024 * 1024)), (e: unknown) => e instanceof CmeError && e.code === 1637);
      await assert.rejects(modem.files.upload('empty', Buffer.alloc(0)), RangeError);
      assert.deepEqual(await modem.files.list(), ['f']);
      await modem.files.delete('f');
    });

    it('imports a certificate from an uploaded file (+USECMNG op 1)', async () => {
      await modem.files.upload('thawte.pem', Buffer.from(THAWTE_PEM, 'latin1'));
      assert.equal(await modem.certificates.importFile('ca', 'ThawteCA', 'thawte.pem'), THAWTE_MD5);
      assert.deepEqual(await modem.certificates.list('ca'), [{ type: 'ca', kind: 'ca', name: 'ThawteCA', commonName: 'thawte Primary Root CA', expiry: '2036/07/16 23:59:59' }]);
      await assert.rejects(modem.certificates.importFile('ca', 'x', 'missing.pem'), (e: unknown) => e instanceof CmeError && e.code === 1612);
      await modem.certificates.remove('ca', 'ThawteCA');
      await modem.files.delete('thawte.pem');
    });
  });
}
