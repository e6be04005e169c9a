import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { pipePair, type DataPipe, type PipeReceiver } from './byte-pipe.js';
import { LinkStack, type LinkTop } from './link-stack.js';
import { OnlineDataLayer } from './online-layer.js';

/** A connection's side of online mode: records what the host sent, lets the test play the remote. */
class Connection implements DataPipe {
  receiver?: PipeReceiver;
  sent: Buffer[] = [];
  write(bytes: Buffer): void {
    this.sent.push(Buffer.from(bytes));
  }
  attach(r: PipeReceiver): void {
    this.receiver = r;
  }
  detach(): void {
    this.receiver = undefined;
  }
  text(): string {
    return Buffer.concat(this.sent).toString('latin1');
  }
}

function setup(unread?: string) {
  const clock = new ManualClock(0);
  const [host, port] = pipePair('host', 'uart');
  const fromModule: Buffer[] = [];
  host.attach({ data: (b) => void fromModule.push(Buffer.from(b)), close: () => {} });
  const stack = new LinkStack(port, { clock, openTerminal: () => {}, log: () => {} });
  const heard: Buffer[] = [];
  let pending = unread === undefined ? undefined : Buffer.from(unread);
  const top: LinkTop = {
    bind: (pipe) => pipe.attach({ data: (b) => void heard.push(b), close: () => {} }),
    takeUnread: () => {
      const p = pending;
      pending = undefined;
      return p;
    },
  };
  stack.mount(top);
  const conn = new Connection();
  const events = { escaped: 0, lost: 0 };
  const layer = new OnlineDataLayer(conn, 1000, { escaped: () => events.escaped++, carrierLost: () => events.lost++ });
  const received = () => Buffer.concat(fromModule).toString('latin1');
  return { clock, host, stack, conn, layer, events, heard, received };
}

describe('OnlineDataLayer', () => {
  it('joins the port to the connection both ways; the terminal above hears nothing', () => {
    const t = setup('typed early,');
    t.stack.push(t.layer);
    t.host.write(Buffer.from('from host'));
    t.conn.receiver!.data(Buffer.from('from remote'));
    assert.equal(t.conn.text(), 'typed early,from host', 'bytes queued before the push go first');
    assert.equal(t.received(), 'from remote');
    assert.equal(t.heard.length, 0);
  });

  it('+++ with guard times reports the escape; the + are not sent', () => {
    const t = setup();
    t.stack.push(t.layer);
    t.clock.advance(1000);
    t.host.write(Buffer.from('+++'));
    t.clock.advance(1000);
    assert.equal(t.events.escaped, 1);
    assert.equal(t.conn.text(), '');
  });

  it('the remote closing reports the lost carrier; once popped, nothing more is reported or passed', () => {
    const t = setup();
    t.stack.push(t.layer);
    const receiver = t.conn.receiver!;
    receiver.close();
    assert.equal(t.events.lost, 1);
    t.stack.remove(t.layer);
    assert.equal(t.conn.receiver, undefined, 'the connection is let go');
    receiver.data(Buffer.from('late'));
    receiver.close();
    assert.equal(t.received(), '');
    assert.equal(t.events.lost, 1);
    t.host.write(Buffer.from('AT\r'));
    assert.equal(t.conn.text(), '');
    assert.equal(Buffer.concat(t.heard).toString(), 'AT\r', 'the terminal has the port again');
  });
});
