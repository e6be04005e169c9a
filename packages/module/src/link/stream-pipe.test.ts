import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { StreamPipe } from './stream-pipe.js';

/** A transport's stream: `push` plays the host's bytes, `written` is what the module wrote. */
function uartStream(): Duplex & { written: Buffer[] } {
  const written: Buffer[] = [];
  const s = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
  });
  return Object.assign(s, { written });
}

describe('StreamPipe', () => {
  it('carries a stream both ways and holds what arrives before a receiver attaches', async () => {
    const uart = uartStream();
    const pipe = new StreamPipe(uart, 'uart');
    uart.push(Buffer.from('early'));
    await once(uart, 'data');
    const got: string[] = [];
    pipe.attach({ data: (b) => void got.push(b.toString()), close: () => {} });
    assert.deepEqual(got, ['early']);
    pipe.write(Buffer.from('reply'));
    assert.equal(Buffer.concat(uart.written).toString(), 'reply');
  });

  it('the stream ending closes the pipe once; after close the stream is left alone', async () => {
    const uart = uartStream();
    const pipe = new StreamPipe(uart, 'uart');
    let closes = 0;
    let events = 0;
    pipe.on('closed', () => events++);
    pipe.attach({ data: () => {}, close: () => closes++ });
    const ended = once(uart, 'end');
    uart.push(null);
    await ended;
    assert.equal(pipe.isOpen, false);
    assert.equal(closes, 1);
    assert.equal(events, 1);
    assert.equal(uart.listenerCount('data'), 0);
    pipe.write(Buffer.from('after'));
    assert.equal(uart.written.length, 0);
  });
});
