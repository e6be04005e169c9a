import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duplex } from 'node:stream';
import { ManualClock } from '@modemlab/at';
import type { DataPipe, PipeReceiver } from './byte-pipe.js';
import { LinkStack } from './link-stack.js';
import { OnlineDataLayer } from './online-layer.js';
import { StreamPipe } from './stream-pipe.js';

/** A port whose client takes bytes only when the test says so (a paused TCP reader). */
class SlowPort extends Duplex {
  taken: Buffer[] = [];
  private reading = false;
  private waiting: Array<() => void> = [];
  constructor() {
    super({ writableHighWaterMark: 16 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.taken.push(chunk);
    if (this.reading) done();
    else this.waiting.push(done);
  }
  /** The client reads everything written so far and what comes next, until it stops again. */
  readAll(): void {
    this.reading = true;
    const w = this.waiting;
    this.waiting = [];
    for (const done of w) done();
  }
  stopReading(): void {
    this.reading = false;
  }
}

/** The remote end of a connection in online mode. */
class Connection implements DataPipe {
  receiver?: PipeReceiver;
  write(): void {}
  attach(r: PipeReceiver): void {
    this.receiver = r;
  }
  detach(): void {
    this.receiver = undefined;
  }
}

describe('port flow', () => {
  it('a stream that refuses more blocks the flow; its drain releases it; the queued bytes are the stream\'s', () => {
    const port = new SlowPort();
    const pipe = new StreamPipe(port, 'slow');
    const events: string[] = [];
    pipe.flow.on('blocked', () => events.push('blocked'));
    pipe.flow.on('drain', () => events.push('drain'));
    pipe.write(Buffer.alloc(10));
    assert.equal(pipe.flow.blocked, false);
    pipe.write(Buffer.alloc(10));
    assert.equal(pipe.flow.blocked, true);
    assert.equal(pipe.flow.queuedBytes, 20);
    pipe.write(Buffer.alloc(10));
    assert.deepEqual(events, ['blocked']);
    port.readAll();
    assert.equal(pipe.flow.blocked, false);
    assert.equal(pipe.flow.queuedBytes, 0);
    assert.deepEqual(events, ['blocked', 'drain']);
  });

  it('online data stops while the port is blocked (the connection keeps it) and flows again on drain', async () => {
    const port = new SlowPort();
    const stack = new LinkStack(new StreamPipe(port, 'slow'), { clock: new ManualClock(0), openTerminal: () => {}, log: () => {} });
    stack.mount({ bind: (p) => p.attach({ data: () => {}, close: () => {} }), takeUnread: () => undefined });
    const conn = new Connection();
    stack.push(new OnlineDataLayer(conn, 1000, { escaped: () => {}, carrierLost: () => {} }));
    assert.ok(conn.receiver, 'attached while the port drains');
    conn.receiver.data(Buffer.alloc(64));
    assert.equal(stack.flow?.blocked, true);
    assert.equal(conn.receiver, undefined, 'detached: the connection buffers (bounded) instead of the process');
    const drained = new Promise<void>((r) => stack.flow!.once('drain', () => r()));
    port.readAll();
    await drained;
    assert.ok(conn.receiver, 'attached again');
    stack.close();
  });

  it('a blocked port is dropped after portStallMs on the module clock, with a log line; a drain in time keeps it', async () => {
    const clock = new ManualClock(0);
    const logs: string[] = [];
    const port = new SlowPort();
    const stack = new LinkStack(new StreamPipe(port, 'slow'), { clock, openTerminal: () => {}, log: (m) => logs.push(m), portStallMs: 500 });
    stack.mount({ bind: () => {}, takeUnread: () => undefined });
    stack.top.write(Buffer.alloc(64));
    clock.advance(499);
    const drained = new Promise<void>((r) => stack.flow!.once('drain', () => r()));
    port.readAll();
    await drained;
    clock.advance(10);
    assert.equal(stack.isClosed, false);
    port.stopReading();
    stack.top.write(Buffer.alloc(64));
    clock.advance(500);
    assert.equal(stack.isClosed, true);
    assert.equal(port.destroyed, true);
    assert.deepEqual(logs, ['port slow: its client took no output for 500 ms (64 bytes queued): dropped']);
  });
});
