import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, connectInProcess, servePty, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, CmeError, UbloxModem, openTransport } from '@modemlab/sdk';

type Transport = 'in-process' | 'tcp' | 'pty';

/** The SDK's u-blox driver against virtual modules, through each transport, on the system clock. */
for (const transport of ['in-process', 'tcp', 'pty'] as Transport[]) {
  describe(`UbloxModem on a virtual SARA-R5 over ${transport}`, () => {
    let dir: string;
    let module: VirtualModule;
    let client: AtClient;
    let stop: () => Promise<void>;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-'));
      module = await createModule({
        model: 'sara-r5',
        stateDir: join(dir, 'state'),
        hosts: { 'broker.lab': '127.0.0.1' },
        network: { registrationDelayMs: 150 },
        log: () => {},
      });
      if (transport === 'in-process') {
        client = new AtClient(connectInProcess(module));
        stop = async () => {};
      } else if (transport === 'tcp') {
        const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
        client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
        stop = () => l.close();
      } else {
        const l = await servePty(module, { path: join(dir, 'ttyModem') });
        client = new AtClient(await openTransport({ path: l.path }));
        stop = () => l.close();
      }
    });

    after(async () => {
      await client.close();
      await stop();
      await module.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('initialises like ubxlib and identifies the module', async () => {
      const modem = new UbloxModem(client);
      await modem.init();
      const id = await modem.identify();
      assert.equal(id.manufacturer, 'u-blox');
      assert.equal(id.model, 'SARA-R510M8S');
      assert.equal(id.revision, '03.15');
      assert.match(id.imei, /^\d{15}$/);
      assert.match(id.imsi ?? '', /^\d{15}$/);
      assert.match(id.iccid ?? '', /^\d{19,20}$/);
    });

    it('attaches with the seed sequence, resolves and pings for real', async () => {
      const modem = new UbloxModem(client);
      const { ip } = await modem.attach({ apn: 'internet', timeoutMs: 10000 });
      assert.equal(ip, '100.108.232.233');
      assert.equal(await modem.resolve('broker.lab'), '127.0.0.1');
      const replies = await modem.ping('broker.lab', { count: 2, timeoutMs: 10000 });
      assert.equal(replies.length, 2);
      for (const r of replies) {
        assert.equal(r.ip, '127.0.0.1');
        assert.ok(r.rttMs >= 0, `rtt ${r.rttMs}`);
      }
    });

    it('fails attach on an APN the operator does not serve: CmeError on +UPSDA, +CEER cause 27', async () => {
      const modem = new UbloxModem(client);
      await assert.rejects(
        modem.attach({ apn: 'flibble', timeoutMs: 10000 }),
        (e: unknown) => e instanceof CmeError && e.code === 148 && /AT\+UPSDA=0,3/.test(e.command),
      );
      assert.deepEqual((await client.send('AT+CEER')).lines, ['+CEER: "Missing or unknown APN"']);
      assert.deepEqual((await client.send('AT+UPSND=0,8')).lines, ['+UPSND: 0,8,0']);
    });

    it('raises typed errors naming the command', async () => {
      await assert.rejects(client.send('AT+CFUN=7'), (e: unknown) => e instanceof CmeError && e.code === 50 && /AT\+CFUN=7/.test(e.command));
      const r = await client.send('AT+CGMI');
      assert.deepEqual(r.lines, ['u-blox']);
    });
  });
}
