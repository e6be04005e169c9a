import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { createModule, connectInProcess, parseTrack, type VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem } from '@modemlab/sdk';

const settle = () => new Promise((r) => setImmediate(r));

/** modem.gnss against a virtual SARA-R5 replaying a track on a manual clock: what the lab sets, the SDK reads. */
describe('UbloxModem.gnss on a virtual SARA-R5', () => {
  let dir: string;
  let clock: ManualClock;
  let module: VirtualModule;
  let modem: UbloxModem;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-sdk-gnss-'));
    clock = new ManualClock(Date.UTC(2026, 11, 6, 10, 0, 0));
    const track = parseTrack('<gpx><trkpt lat="47.2858" lon="8.5658"><ele>440</ele><time>2026-12-06T10:00:00Z</time></trkpt><trkpt lat="47.2867" lon="8.5658"><ele>450</ele><time>2026-12-06T10:00:10Z</time></trkpt></gpx>');
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), clock, gnss: { track }, log: () => {} });
    modem = new UbloxModem(new AtClient(connectInProcess(module)));
  });

  after(async () => {
    await modem.close();
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no fix: undefined; after the fix: the sentences of the track position, GSV in two sentences', async () => {
    await modem.gnss.keep(['RMC', 'GSV', 'ZDA']);
    await modem.gnss.power(true);
    assert.equal(await modem.gnss.read('RMC'), undefined);
    clock.advance(2000);
    await settle();
    assert.deepEqual(await modem.gnss.read('RMC'), ['$GPRMC,100002.00,A,4717.15880,N,00833.94800,E,19.453,0.00,061226,,,A*5A']);
    assert.deepEqual(await modem.gnss.read('ZDA'), ['$GPZDA,100002.00,06,12,2026,00,00*66']);
    const gsv = await modem.gnss.read('GSV');
    assert.equal(gsv?.length, 2);
    assert.ok(gsv.every((s) => s.startsWith('$GPGSV,2,')));
    await assert.rejects(modem.gnss.read('GGA'), /call keep first/);
  });

  it('locate resolves with +UULOC from the same track', async () => {
    const before = clock.pending();
    const p = modem.gnss.locate();
    // Once the module has taken the request (its 1 s CellLocate timer), let that time pass.
    for (let i = 0; i < 200 && clock.pending() === before; i++) await settle();
    clock.advance(1000);
    const loc = await p;
    assert.deepEqual(loc, { time: '06/12/2026,10:00:03.000', latitude: 47.28607, longitude: 8.5658, altitude: 443, uncertainty: 10 });
  });

  it('locate({ detailed: true }) (ubxlib\'s response type 1) adds speed, direction, sensor and satellites', async () => {
    const before = clock.pending();
    const p = modem.gnss.locate({ detailed: true });
    for (let i = 0; i < 200 && clock.pending() === before; i++) await settle();
    clock.advance(1000);
    const loc = await p;
    assert.deepEqual(loc, { time: '06/12/2026,10:00:04.000', latitude: 47.28616, longitude: 8.5658, altitude: 444, uncertainty: 10, speed: 10, direction: 0, sensorUsed: 1, satellites: 8 });
  });
});
