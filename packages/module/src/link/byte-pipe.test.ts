import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipePair, type PipeReceiver } from './byte-pipe.js';

function collector(): PipeReceiver & { got: () => string; closes: number } {
  const parts: Buffer[] = [];
  const r = {
    closes: 0,
    data: (b: Buffer) => void parts.push(Buffer.from(b)),
    close: () => void r.closes++,
    got: () => Buffer.concat(parts).toString('latin1'),
  };
  return r;
}

describe('pipePair', () => {
  it('carries bytes both ways, all 256 values', () => {
    const [a, b] = pipePair('a', 'b');
    const ra = collector();
    const rb = collector();
    a.attach(ra);
    b.attach(rb);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    a.write(all);
    b.write(Buffer.from('back'));
    assert.equal(rb.got(), all.toString('latin1'));
    assert.equal(ra.got(), 'back');
  });

  it('holds bytes while no receiver is attached and hands them over in order', () => {
    const [a, b] = pipePair('a');
    a.write(Buffer.from('one,'));
    const first = collector();
    b.attach(first);
    b.detach();
    a.write(Buffer.from('two,'));
    a.write(Buffer.from('three'));
    const second = collector();
    b.attach(second);
    assert.equal(first.got(), 'one,');
    assert.equal(second.got(), 'two,three');
  });

  it('close reaches both ends once: receivers, closed events, no bytes after', () => {
    const [a, b] = pipePair('a');
    const ra = collector();
    const rb = collector();
    a.attach(ra);
    b.attach(rb);
    let events = 0;
    a.on('closed', () => events++);
    b.on('closed', () => events++);
    b.close();
    b.close();
    a.write(Buffer.from('lost'));
    assert.equal(events, 2);
    assert.equal(ra.closes, 1);
    assert.equal(rb.closes, 1);
    assert.equal(rb.got(), '');
    assert.equal(a.isOpen, false);
  });

  it('a receiver attached after the close gets the held bytes, then close', () => {
    const [a, b] = pipePair('a');
    a.write(Buffer.from('last words'));
    a.close();
    const r = collector();
    b.attach(r);
    assert.equal(r.got(), 'last words');
    assert.equal(r.closes, 1);
  });
});
