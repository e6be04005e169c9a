import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem, connectTcp } from '@modemlab/sdk';
import { loadModuleApi, type CliModule, type ModuleApi } from '../packages/cli/src/module-api.js';
import { main } from '../packages/cli/src/program.js';
import { startServe } from '../packages/cli/src/serve.js';
import { handleLabRequest, labRequest } from '../packages/cli/src/lab-control.js';

/** Runs the CLI in-process; its exit code and output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'modemlab', ...argv], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/**
 * Issue 10: GPIO levels a user drives and reads from the CLI while `serve` runs (through the
 * serve's lab control socket and the module API, never the AT port), and the GNSS position
 * from `serve --gnss` and `modemlab gnss`; the host reads them with the SDK over the AT port.
 */
describe('serve --gpio/--gnss and modemlab gpio/gnss on a running serve', () => {
  let dir: string;
  let state: string;
  let served: { close(): Promise<void> };
  let modules: VirtualModule[];
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ml-lab-'));
    state = join(dir, 's');
    const real = await loadModuleApi();
    modules = [];
    const api: ModuleApi = {
      ...real,
      async createModule(opts) {
        const m = await real.createModule(opts);
        modules.push(m as unknown as VirtualModule);
        return m;
      },
    };
    const lines: string[] = [];
    served = await startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state, hosts: {}, count: 1, gnss: '52.5,13.25,34', gpio: { 23: 1 } }, (l) => lines.push(l));
    const port = /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(lines.join('\n'))![1];
    modem = new UbloxModem(new AtClient(await connectTcp(`tcp://127.0.0.1:${port}`)));
  });

  after(async () => {
    await modem.close();
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve --gpio drives the pad from the start; modemlab gpio changes and reads it; the SDK reads what the CLI drives', async () => {
    await modem.gpio.configure(23, { input: 0 });
    assert.equal(await modem.gpio.read(23), 1);
    assert.deepEqual(await cli('gpio', '23=0', '--state', state), { code: 0, out: '23=0\n', err: '' });
    assert.equal(await modem.gpio.read(23), 0);
    // Let go: the input reads its pull (none: 0), then a pull-up reads 1.
    assert.deepEqual(await cli('gpio', '23=float', '--state', state), { code: 0, out: '23=0\n', err: '' });
    await modem.gpio.configure(23, { input: 1 });
    assert.deepEqual(await cli('gpio', '23', '--state', state), { code: 0, out: '23=1\n', err: '' });
  });

  it('modemlab gpio reads what the host drives on an output', async () => {
    await modem.gpio.configure(16, { output: 1 });
    assert.deepEqual(await cli('gpio', '16', '--state', state), { code: 0, out: '16=1\n', err: '' });
    await modem.gpio.write(16, 0);
    assert.deepEqual(await cli('gpio', '16', '--state', state), { code: 0, out: '16=0\n', err: '' });
  });

  it('refuses an unknown pad, a bad spec, a module the serve lacks, and a state no serve runs on; nothing changes', async () => {
    assert.deepEqual(await cli('gpio', '99=1', '--state', state), { code: 1, out: '', err: 'modemlab: the product has no GPIO pad 99\n' });
    assert.equal((await cli('gpio', '23=2', '--state', state)).code, 2);
    assert.deepEqual(await cli('gpio', '23=1', '--state', state, '--module', '3'), { code: 1, out: '', err: 'modemlab: no module 3 (this serve runs 1)\n' });
    const none = await cli('gpio', '23', '--state', join(dir, 'nothing'));
    assert.equal(none.code, 1);
    assert.match(none.err, /^modemlab: no serve runs on this state/);
    assert.equal(await modem.gpio.read(23), 1);
    assert.deepEqual(handleLabRequest(modules, { gpio: 23, drive: 7 as 0 }), { ok: false, error: 'drive: 0, 1 or null' });
    assert.deepEqual(await labRequest(state, {}), { ok: false, error: 'unknown request' });
  });

  it('modemlab fota pushes an image: the download starts (URC on the host); a second push while it runs and a non-image are refused', async () => {
    const fw = join(dir, 'fw.bin');
    writeFileSync(fw, 'MODEMLAB-FIRMWARE 03.16 03.16,A00.02\npayload');
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'just bytes');
    await modem.client.send('AT+UFOTASTAT=1');
    const started = new Promise<string>((resolve) => modem.client.onUrc('+UFOTASTAT', (line) => resolve(line)));
    assert.deepEqual(await cli('fota', bad, '--state', state), { code: 1, out: '', err: 'modemlab: not a firmware image (the lab format starts "MODEMLAB-FIRMWARE <revision> <version>")\n' });
    assert.deepEqual(await cli('fota', fw, '--state', state), { code: 0, out: 'pushing fw.bin (44 bytes)\n', err: '' });
    assert.equal(await started, '+UFOTASTAT: 1,0,0');
    assert.match((await cli('fota', fw, '--state', state)).err, /already in progress/);
  });

  it('serve --gnss places the receiver; modemlab gnss moves it', async () => {
    assert.deepEqual(modules[0]!.services.gnss.where, { latitude: 52.5, longitude: 13.25, altitude: 34 });
    assert.deepEqual(await cli('gnss', '45.633452,13.061862,49', '--state', state), { code: 0, out: 'moved to 45.633452,13.061862,49\n', err: '' });
    assert.deepEqual(modules[0]!.services.gnss.where, { latitude: 45.633452, longitude: 13.061862, altitude: 49 });
    assert.equal((await cli('gnss', '95,1', '--state', state)).code, 1);
    assert.deepEqual(modules[0]!.services.gnss.where, { latitude: 45.633452, longitude: 13.061862, altitude: 49 });
  });
});

describe('serve --gnss FILE', () => {
  it('replays a GPX track; an unreadable or bad file is a usage error before any module starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-gnss-'));
    try {
      const gpx = join(dir, 't.gpx');
      writeFileSync(gpx, '<gpx><trk><trkseg><trkpt lat="1" lon="2"><ele>3</ele></trkpt><trkpt lat="1.001" lon="2"/></trkseg></trk></gpx>');
      const real = await loadModuleApi();
      const seen: CliModule[] = [];
      const api: ModuleApi = { ...real, createModule: async (o) => (seen.push(await real.createModule(o)), seen[seen.length - 1]!) };
      const s = await startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, 's'), hosts: {}, count: 1, gnss: gpx }, () => {});
      // Real time runs under serve: somewhere on the first leg of the track.
      const where = (seen[0] as unknown as VirtualModule).services.gnss.where;
      assert.ok(where.latitude >= 1 && where.latitude <= 1.001 && where.longitude === 2, JSON.stringify(where));
      await s.close();
      writeFileSync(gpx, 'nothing here');
      await assert.rejects(startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, 's'), hosts: {}, count: 1, gnss: gpx }, () => {}), /--gnss .*no track points/);
      await assert.rejects(startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, 's'), hosts: {}, count: 1, gnss: join(dir, 'missing.gpx') }, () => {}), /cannot read/);
      assert.equal(seen.length, 1);
      await assert.rejects(startServe(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, 's'), hosts: {}, count: 1, gpio: { 99: 1 } }, () => {}), /--gpio: sara-r5 has no GPIO pad 99/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
