import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { pipePair, type BytePipe } from './byte-pipe.js';
import { LinkStack, type LayerHost, type LinkTop } from './link-stack.js';
import { XorLayer, xor } from './test-layers.testutil.js';

/** A top that records what reaches it and can answer through its pipe. */
class RecordingTop implements LinkTop {
  pipe?: BytePipe;
  got: Buffer[] = [];
  unread?: Buffer;
  bind(pipe: BytePipe): void {
    this.pipe = pipe;
    pipe.attach({ data: (b) => void this.got.push(Buffer.from(b)), close: () => {} });
  }
  takeUnread(): Buffer | undefined {
    const u = this.unread;
    this.unread = undefined;
    return u;
  }
  text(): string {
    const s = Buffer.concat(this.got).toString('latin1');
    this.got = [];
    return s;
  }
}

function setup() {
  const [host, port] = pipePair('host', 'uart');
  const fromModule: Buffer[] = [];
  host.attach({ data: (b) => void fromModule.push(Buffer.from(b)), close: () => {} });
  const opened: BytePipe[] = [];
  const layerHost: LayerHost = { clock: new ManualClock(), openTerminal: (p) => void opened.push(p), log: () => {} };
  const stack = new LinkStack(port, layerHost);
  const top = new RecordingTop();
  stack.mount(top);
  const sent = () => {
    const s = Buffer.concat(fromModule);
    fromModule.length = 0;
    return s;
  };
  return { host, stack, top, sent, opened };
}

describe('LinkStack', () => {
  it('without layers the top speaks the bottom pipe', () => {
    const { host, top, sent } = setup();
    host.write(Buffer.from('AT\r'));
    assert.equal(top.text(), 'AT\r');
    top.pipe!.write(Buffer.from('OK'));
    assert.equal(sent().toString(), 'OK');
  });

  it('a pushed layer sees every byte both ways; pop gives the top the pipe below again', () => {
    const { host, stack, top, sent } = setup();
    const layer = new XorLayer(0x55);
    stack.push(layer);
    assert.deepEqual(stack.layers, ['xor']);
    host.write(xor(Buffer.from('AT\r'), 0x55));
    assert.equal(top.text(), 'AT\r');
    top.pipe!.write(Buffer.from('OK'));
    assert.deepEqual(sent(), xor(Buffer.from('OK'), 0x55));
    assert.equal(stack.pop(), layer);
    assert.equal(layer.closed, 1);
    host.write(Buffer.from('clear'));
    assert.equal(top.text(), 'clear');
    top.pipe!.write(Buffer.from('OK'));
    assert.equal(sent().toString(), 'OK');
    assert.equal(stack.pop(), undefined);
  });

  it('bytes the top had not processed go through the new layer', () => {
    const { stack, top } = setup();
    top.unread = xor(Buffer.from('early'), 0x55);
    stack.push(new XorLayer(0x55));
    assert.equal(top.text(), 'early');
  });

  it('layers stack: remove() takes a layer and those above it off', () => {
    const { host, stack, top } = setup();
    const a = new XorLayer(0x0f);
    const b = new XorLayer(0xf0);
    stack.push(a);
    stack.push(b);
    host.write(Buffer.from([0x41 ^ 0xff]));
    assert.equal(top.text(), 'A');
    stack.remove(a);
    assert.deepEqual(stack.layers, []);
    assert.equal(a.closed + b.closed, 2);
    host.write(Buffer.from('B'));
    assert.equal(top.text(), 'B');
  });

  it('the tap sees each level with its direction', () => {
    const { host, stack, top } = setup();
    stack.push(new XorLayer(0x55));
    const seen: string[] = [];
    stack.tap((level, dir, bytes) => seen.push(`${level} ${dir} ${bytes.toString('hex')}`));
    host.write(Buffer.from([0x55 ^ 0x41]));
    top.pipe!.write(Buffer.from('B'));
    assert.deepEqual(seen, ['uart up 14', 'xor up 41', 'xor down 42', 'uart down 17']);
  });

  it('the bottom closing closes every layer and the stack, once', () => {
    const { host, stack } = setup();
    const layer = new XorLayer();
    stack.push(layer);
    let closed = 0;
    stack.on('closed', () => closed++);
    host.close();
    assert.equal(closed, 1);
    assert.equal(layer.closed, 1);
    assert.ok(stack.isClosed);
    assert.throws(() => stack.push(new XorLayer()), /closed/);
  });
});
