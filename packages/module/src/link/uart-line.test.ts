import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { pipePair } from './byte-pipe.js';
import { LinkStack } from './link-stack.js';
import { StreamPipe } from './stream-pipe.js';
import { UartLine, type LineSettings } from './uart-line.js';

function settings(baud: number, rtsCts = true): LineSettings & { rate: number; hw: boolean } {
  const s = { rate: baud, hw: rtsCts, baud: () => s.rate, rtsCts: () => s.hw };
  return s;
}

/** A line over an in-memory pair: `host` is the far end, `up` what reached the module side. */
function line(baud: number) {
  const clock = new ManualClock(0);
  const [host, port] = pipePair('host', 'uart');
  const s = settings(baud);
  const l = new UartLine(port, clock, s);
  let toHost = 0;
  let up = 0;
  host.attach({ data: (b) => void (toHost += b.length), close: () => {} });
  l.attach({ data: (b) => void (up += b.length), close: () => {} });
  return { clock, host, l, s, toHost: () => toHost, up: () => up };
}

/** A port whose client reads only when told (a paused TCP reader = RTS off). */
class SlowPort extends Duplex {
  taken = 0;
  private reading = false;
  private waiting: Array<() => void> = [];
  constructor() {
    super({ writableHighWaterMark: 16 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.taken += chunk.length;
    if (this.reading) done();
    else this.waiting.push(done);
  }
  readAll(): void {
    this.reading = true;
    for (const d of this.waiting.splice(0)) d();
  }
}

describe('UartLine (8N1 pacing on the module clock)', () => {
  it('module output leaves at the line rate: 115200 bit/s is 11.52 bytes a millisecond', () => {
    const t = line(115_200);
    t.l.write(Buffer.alloc(1152));
    assert.equal(t.toHost(), 0);
    t.clock.advance(50);
    assert.equal(t.toHost(), 576);
    t.clock.advance(49);
    assert.equal(t.toHost(), 1140);
    t.clock.advance(1);
    assert.equal(t.toHost(), 1152);
    assert.equal(t.clock.pending(), 0, 'an idle line holds no timer');
  });

  it('host input reaches the module at the line rate (9600 bit/s: 0.96 bytes a millisecond)', () => {
    const t = line(9600);
    t.host.write(Buffer.alloc(960));
    t.clock.advance(500);
    assert.equal(t.up(), 480);
    t.clock.advance(500);
    assert.equal(t.up(), 960);
  });

  it('host chunks queued back to back reach the module whole, however the line cuts them', () => {
    const t = line(921_600);
    let got = Buffer.alloc(0);
    t.l.attach({ data: (b) => void (got = Buffer.concat([got, b])), close: () => {} });
    const a = Buffer.alloc(100, 1);
    const b = Buffer.alloc(300, 2);
    const c = Buffer.alloc(5000, 3);
    t.host.write(a);
    t.host.write(b);
    t.host.write(c);
    t.clock.advance(100);
    assert.equal(got.length, 5400);
    assert.ok(got.equals(Buffer.concat([a, b, c])));
  });

  it('a rate change applies to bytes queued after it; the line restarts from an idle pause', () => {
    const t = line(9600);
    t.l.write(Buffer.from('\r\nOK\r\n')); // 6 bytes at 9600: 6.25 ms
    t.s.rate = 115_200;
    t.l.write(Buffer.alloc(1152)); // then 100 ms at 115200
    t.clock.advance(6);
    assert.equal(t.toHost(), 5);
    t.clock.advance(100);
    assert.equal(t.toHost(), 6 + 1149);
    t.clock.advance(1);
    assert.equal(t.toHost(), 1158);
    t.clock.advance(1000);
    t.l.write(Buffer.alloc(12));
    t.clock.advance(1);
    assert.equal(t.toHost(), 1158 + 11, 'an idle line does not owe the pause');
  });

  it('RTS/CTS on: a host that stops reading stops the line (port blocked); reading again resumes it', async () => {
    const clock = new ManualClock(0);
    const port = new SlowPort();
    const l = new UartLine(new StreamPipe(port, 'slow'), clock, settings(115_200, true));
    l.write(Buffer.alloc(2000));
    clock.advance(10); // 115 bytes are out: the stream refuses more after 16
    assert.equal(l.flow.blocked, true);
    const stuck = port.taken;
    clock.advance(1000);
    assert.equal(port.taken, stuck, 'nothing leaves while RTS is off');
    assert.equal(l.lostOutputBytes, 0);
    port.readAll();
    await new Promise((r) => setImmediate(r));
    clock.advance(200);
    assert.equal(port.taken, 2000);
    assert.equal(l.flow.blocked, false);
  });

  it('flow control off (AT&K0): a host that stops reading loses the bytes, counted and logged', () => {
    const clock = new ManualClock(0);
    const port = new SlowPort();
    const logs: string[] = [];
    const l = new UartLine(new StreamPipe(port, 'slow'), clock, settings(115_200, false), (m) => logs.push(m));
    l.write(Buffer.alloc(1152));
    clock.advance(100);
    assert.equal(l.lostOutputBytes + l.flow.queuedBytes, 1152, "every byte went out: to the stream until it refused more, then lost");
    assert.ok(l.lostOutputBytes > 1000, `${l.lostOutputBytes} lost`);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /flow control off \(AT&K0\)/);
  });

  it('CTS: a terminal holding input stops host bytes with AT&K3 and resumes them; AT&K0 ignores it', () => {
    for (const hw of [true, false]) {
      const t = line(115_200);
      t.s.hw = hw;
      const terminal = {};
      t.l.flow.holdInput(terminal, true);
      t.host.write(Buffer.alloc(1152));
      t.clock.advance(100);
      assert.equal(t.up(), hw ? 0 : 1152);
      t.l.flow.holdInput(terminal, false);
      t.clock.advance(100);
      assert.equal(t.up(), 1152);
    }
  });

  it('UART power saving: after idleSleepMs without traffic the first host byte wakes the UART and is lost; module output keeps it awake', () => {
    const clock = new ManualClock(0);
    const [host, port] = pipePair('host', 'uart');
    const s = { ...settings(115_200), idleSleepMs: () => 100 };
    const l = new UartLine(port, clock, s);
    let up = '';
    l.attach({ data: (b) => void (up += b.toString('latin1')), close: () => {} });
    host.attach({ data: () => {}, close: () => {} });
    clock.advance(100);
    host.write(Buffer.from('AT\r'));
    clock.advance(1);
    assert.equal(up, 'T\r');
    assert.equal(l.wakeUpBytes, 1);
    host.write(Buffer.from('AT\r'));
    clock.advance(1);
    assert.equal(up, 'T\rAT\r', 'awake: nothing lost');
    clock.advance(90);
    l.write(Buffer.from('\r\n+CEREG: 1\r\n'));
    clock.advance(60);
    host.write(Buffer.from('AT\r'));
    clock.advance(1);
    assert.equal(up, 'T\rAT\rAT\r', 'the URC 60 ms ago kept the UART awake');
    assert.equal(l.wakeUpBytes, 1);
  });

  it('a long response at a slow rate keeps the port blocked but moving: the stall limit does not drop it', () => {
    const clock = new ManualClock(0);
    const [host, port] = pipePair('host', 'uart');
    host.attach({ data: () => {}, close: () => {} });
    const stack = new LinkStack(new UartLine(port, clock, settings(9600)), { clock, openTerminal: () => {}, log: () => {}, portStallMs: 500 });
    stack.mount({ bind: () => {}, takeUnread: () => undefined });
    stack.top.write(Buffer.alloc(64 * 1024)); // 68 s at 9600
    clock.advance(5000);
    assert.equal(stack.flow?.blocked, true);
    assert.equal(stack.isClosed, false);
    stack.close();
  });

  it('closing the line closes the transport and cancels its timers', () => {
    const t = line(9600);
    let closed = 0;
    t.host.attach({ data: () => {}, close: () => void closed++ });
    t.l.write(Buffer.alloc(100));
    t.l.close();
    assert.equal(closed, 1);
    assert.equal(t.clock.pending(), 0);
  });
});
