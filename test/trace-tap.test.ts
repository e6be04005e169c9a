import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TraceChunk } from '@modemlab/at';
import { createModule, connectInProcess, type VirtualModule } from '@modemlab/module';
import { AtClient, openMux } from '@modemlab/sdk';
import { TraceTap } from '../packages/module/src/link/trace-tap.js';

const text = (records: TraceChunk[], filter: (r: TraceChunk) => boolean): string =>
  Buffer.concat(records.filter(filter).map((r) => r.bytes)).toString('latin1');

describe('TraceTap on a real SARA-R5', () => {
  let dir: string;
  let module: VirtualModule;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-trace-tap-'));
    module = await createModule({ model: 'sara-r5', stateDir: join(dir, 'state'), log: () => {} });
  });
  after(async () => {
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees every byte each way, numbers connections, stamps monotonic times, and stops', async () => {
    const records: TraceChunk[] = [];
    let clock = 100;
    const tap = new TraceTap({ sink: (r) => records.push(r), now: () => (clock += 0.5), portPrefix: 'm0:' }).watch(module);
    const first = new AtClient(connectInProcess(module), { defaultTimeoutMs: 5_000 });
    const second = new AtClient(connectInProcess(module), { defaultTimeoutMs: 5_000 });
    await first.send('AT+CGMI');
    await second.send('ATI0');
    assert.deepEqual(text(records, (r) => r.port === 'm0:in-process' && r.dir === 'to-module'), 'AT+CGMI\r');
    assert.deepEqual(text(records, (r) => r.port === 'm0:in-process' && r.dir === 'from-module'), 'AT+CGMI\r\r\nu-blox\r\n\r\nOK\r\n');
    assert.deepEqual(text(records, (r) => r.port === 'm0:in-process#2' && r.dir === 'to-module'), 'ATI0\r');
    assert.ok(records.every((r) => r.layer === 'in-process' && r.channel === undefined));
    const times = records.map((r) => r.time);
    assert.ok(times[0]! > 0 && times.every((t, i) => i === 0 || t > times[i - 1]!), 'times since the tap started, increasing');

    tap.stop();
    const seen = records.length;
    await first.send('AT');
    const third = new AtClient(connectInProcess(module), { defaultTimeoutMs: 5_000 });
    await third.send('AT');
    assert.equal(records.length, seen, 'a stopped tap records nothing, on old stacks or new ones');
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('records a CMUX channel under its port with its DLCI, at the wire and at the channel level', async () => {
    const records: TraceChunk[] = [];
    const tap = new TraceTap({ sink: (r) => records.push(r) }).watch(module);
    const stream = connectInProcess(module);
    const mux = await openMux(stream, { channels: 2 });
    const two = new AtClient(mux.channels[1]!, { defaultTimeoutMs: 5_000 });
    await two.send('AT+CGMM');
    await mux.host.close({ destroyTransport: true });
    tap.stop();
    const ports = new Set(records.map((r) => r.port));
    assert.deepEqual([...ports], ['in-process'], 'a channel belongs to the port it is multiplexed on');
    const channel2 = records.filter((r) => r.channel === 2);
    assert.ok(channel2.every((r) => r.layer === 'cmux/dlci2'));
    assert.equal(text(channel2, (r) => r.dir === 'to-module'), 'AT+CGMM\r');
    assert.equal(text(channel2, (r) => r.dir === 'from-module'), 'AT+CGMM\r\r\nSARA-R510M8S\r\n\r\nOK\r\n');
    // The wire carries the same bytes inside frames: flag 0xF9, address of DLCI 2.
    const wire = records.filter((r) => r.layer === 'in-process' && r.channel === undefined);
    assert.ok(wire.some((r) => r.dir === 'to-module' && r.bytes[0] === 0xf9 && r.bytes[1]! >> 2 === 2));
  });
});
