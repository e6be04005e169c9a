import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { OnlineLink } from './online-link.js';

function link(): { link: OnlineLink; data: Buffer[]; rest: Buffer[]; ends: string[] } {
  const data: Buffer[] = [];
  const rest: Buffer[] = [];
  const ends: string[] = [];
  const l = new OnlineLink(new PassThrough(), (r) => rest.push(r));
  l.on('data', (d) => data.push(d));
  l.on('end', (reason) => ends.push(reason));
  return { link: l, data, rest, ends };
}

describe('OnlineLink (host side of online data mode)', () => {
  it('ends on NO CARRIER split across chunks and hands back what follows', () => {
    const t = link();
    t.link.receive(Buffer.from('payload\r\nNO CAR'));
    t.link.receive(Buffer.from('RIER\r\n\r\n+UUSOCL: 0\r\n'));
    assert.equal(Buffer.concat(t.data).toString(), 'payload');
    assert.deepEqual(t.ends, ['no-carrier']);
    assert.equal(Buffer.concat(t.rest).toString(), '\r\n+UUSOCL: 0\r\n');
  });

  it('never holds back data that ends in a line break', () => {
    const t = link();
    t.link.receive(Buffer.from('HTTP/1.1 200 OK\r\n'));
    assert.equal(Buffer.concat(t.data).toString(), 'HTTP/1.1 200 OK\r\n');
  });

  it('releases a held tail that did not become NO CARRIER', async () => {
    const t = link();
    t.link.receive(Buffer.from('abc\r\nN'));
    assert.equal(Buffer.concat(t.data).toString(), 'abc');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(Buffer.concat(t.data).toString(), 'abc\r\nN');
    t.link.receive(Buffer.from('ext'));
    assert.equal(Buffer.concat(t.data).toString(), 'abc\r\nNext');
    assert.deepEqual(t.ends, []);
  });

  it('escape: +++ after the guard time, data before the OK still delivered', async () => {
    const wire = new PassThrough();
    const sent: string[] = [];
    wire.on('data', (d: Buffer) => sent.push(d.toString()));
    const ends: string[] = [];
    const data: Buffer[] = [];
    const l = new OnlineLink(wire, () => {});
    l.on('data', (d) => data.push(d));
    l.on('end', (r) => ends.push(r));
    const escaped = l.escape(10);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(sent, ['+++']);
    l.receive(Buffer.from('late\r\nOK\r\n'));
    await escaped;
    assert.equal(Buffer.concat(data).toString(), 'late');
    assert.deepEqual(ends, ['escaped']);
    await assert.rejects(l.write(Buffer.from('x')));
  });
});
