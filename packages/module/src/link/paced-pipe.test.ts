import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import type { DataPipe, PipeReceiver as DataSink } from './byte-pipe.js';
import { pacedPipe } from './paced-pipe.js';

/** A byte pipe that records what is written to it, standing for a connection. */
function recorder() {
  const written: string[] = [];
  let sink: DataSink | undefined;
  const pipe: DataPipe = {
    write: (b) => void written.push(b.toString('latin1')),
    attach: (s) => void (sink = s),
    detach: () => void (sink = undefined),
  };
  return { pipe, written, remote: (text: string) => sink?.data(Buffer.from(text)), hangup: () => sink?.close(), attached: () => sink !== undefined };
}

function terminal() {
  const got: string[] = [];
  let closed = 0;
  const sink: DataSink = { data: (b) => void got.push(b.toString('latin1')), close: () => void closed++ };
  return { sink, got, closed: () => closed };
}

describe('pacedPipe', () => {
  it('sends full packets at once and the rest after flushMs', () => {
    const clock = new ManualClock();
    const r = recorder();
    const p = pacedPipe(r.pipe, { clock, packetSize: 4, flushMs: 500, idleMs: 0, onIdle: () => {} });
    p.attach(terminal().sink);
    p.write(Buffer.from('abcdefghij'));
    assert.deepEqual(r.written, ['abcd', 'efgh']);
    clock.advance(499);
    assert.deepEqual(r.written, ['abcd', 'efgh']);
    p.write(Buffer.from('k'));
    clock.advance(1);
    assert.deepEqual(r.written, ['abcd', 'efgh', 'ijk']);
  });

  it('flushMs 0 sends at once; detach sends what waits', () => {
    const clock = new ManualClock();
    const r = recorder();
    const now = pacedPipe(r.pipe, { clock, packetSize: 100, flushMs: 0, idleMs: 0, onIdle: () => {} });
    now.write(Buffer.from('x'));
    assert.deepEqual(r.written, ['x']);
    const r2 = recorder();
    const later = pacedPipe(r2.pipe, { clock, packetSize: 100, flushMs: 1000, idleMs: 0, onIdle: () => {} });
    later.attach(terminal().sink);
    later.write(Buffer.from('yz'));
    later.detach();
    assert.deepEqual(r2.written, ['yz']);
    assert.equal(r2.attached(), false);
  });

  it('idleMs without traffic either way closes the sink, then calls onIdle', () => {
    const clock = new ManualClock();
    const r = recorder();
    const t = terminal();
    let idle = 0;
    const p = pacedPipe(r.pipe, { clock, packetSize: 10, flushMs: 0, idleMs: 1000, onIdle: () => void idle++ });
    p.attach(t.sink);
    clock.advance(900);
    r.remote('in');
    clock.advance(900);
    p.write(Buffer.from('out'));
    clock.advance(999);
    assert.equal(t.closed(), 0);
    clock.advance(1);
    assert.deepEqual([t.closed(), idle, t.got], [1, 1, ['in']]);
    assert.equal(r.attached(), false);
  });

  it('a remote close reaches the sink once and stops the idle timer', () => {
    const clock = new ManualClock();
    const r = recorder();
    const t = terminal();
    let idle = 0;
    const p = pacedPipe(r.pipe, { clock, packetSize: 10, flushMs: 0, idleMs: 1000, onIdle: () => void idle++ });
    p.attach(t.sink);
    r.hangup();
    clock.advance(5000);
    assert.deepEqual([t.closed(), idle], [1, 0]);
  });
});
