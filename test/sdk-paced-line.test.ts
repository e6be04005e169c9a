/**
 * The SDK over a paced serial line (issue 14): a SARA-R5 served on loopback TCP with
 * `baud`, so every byte each way crosses at the line rate (8N1). The driver needs nothing
 * special: init, identify and a file round trip work; the round trip cannot be faster than
 * the line (a lower bound only: pacing never lets bytes through early), and AT+IPR changes
 * the rate under the client after its OK.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModule, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem, openTransport } from '@modemlab/sdk';

describe('UbloxModem over a paced line (serve baud 921600, TCP)', () => {
  let dir: string;
  let module: VirtualModule;
  let client: AtClient;
  let modem: UbloxModem;
  let stop: () => Promise<void> = async () => {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-paced-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), baud: 921_600, log: () => {} });
    const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    stop = () => l.close();
    client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
    modem = new UbloxModem(client);
    await modem.init();
  });

  after(async () => {
    await client?.close();
    await stop();
    await module?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('identifies the module and round-trips a file, no faster than the line carries it', async () => {
    const id = await modem.identify();
    assert.equal(id.model, module.model.identity.model);
    const data = randomBytes(32 * 1024);
    const t0 = performance.now();
    await modem.files.upload('paced.bin', data);
    const back = await modem.files.download('paced.bin');
    const ms = performance.now() - t0;
    assert.ok(back.equals(data), 'the bytes come back whole');
    // 64 KiB of payload through a 92,160 B/s line: at least 711 ms.
    const floor = ((2 * data.length * 10) / 921_600) * 1000;
    assert.ok(ms >= floor * 0.98, `${ms.toFixed(0)} ms for a transfer that needs ${floor.toFixed(0)} ms on the line`);
  });

  it('AT+IPR=115200: OK, then +IPR? answers 115200 over the slower line; the client goes on', async () => {
    await client.send('AT+IPR=115200');
    assert.deepEqual((await client.send('AT+IPR?')).lines, ['+IPR: 115200']);
    const data = randomBytes(4 * 1024);
    const t0 = performance.now();
    await modem.files.upload('slow.bin', data);
    const ms = performance.now() - t0;
    assert.ok(ms >= ((data.length * 10) / 115_200) * 1000 * 0.98, `${ms.toFixed(0)} ms`);
    assert.deepEqual(module.services.files.read('slow.bin'), data);
  });
});
