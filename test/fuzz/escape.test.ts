/**
 * Property tests of the online-data path: the online layer on a link stack, its +++
 * detector on the manual clock. Any bytes (all 256 values, '+' runs often) in any chunks at
 * any timing: what the connection receives is exactly what the host sent up to the escape,
 * the escape removes exactly its three '+', an escape is only seen after the guard time of
 * silence, and a well-formed escape (silence, "+++", silence) is never missed. The remote's
 * bytes reach the host unchanged whatever the host does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '@modemlab/at';
import { pipePair, type DataPipe, type PipeReceiver } from '../../packages/module/src/link/byte-pipe.js';
import { LinkStack } from '../../packages/module/src/link/link-stack.js';
import { OnlineDataLayer } from '../../packages/module/src/link/online-layer.js';
import { fuzz, hex } from './fuzz.testutil.js';

interface Step {
  /** Milliseconds of silence before the chunk. */
  delay: number;
  bytes: Buffer;
  /** Bytes the remote sends at this moment. */
  remote: Buffer;
}

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
}

function run(guardMs: number, steps: Step[]) {
  const clock = new ManualClock(0);
  const [host, port] = pipePair('host', 'uart');
  const toHost: Buffer[] = [];
  host.attach({ data: (b) => void toHost.push(Buffer.from(b)), close: () => {} });
  const stack = new LinkStack(port, { clock, openTerminal: () => {}, log: () => {} });
  const heard: Buffer[] = [];
  stack.mount({ bind: (pipe) => pipe.attach({ data: (b) => void heard.push(b), close: () => {} }), takeUnread: () => undefined });
  const conn = new Connection();
  /** Index in the host's byte stream at which the escape was reported, and the time. */
  let escapedAt: { sent: number; time: number } | undefined;
  let sent = 0;
  const layer = new OnlineDataLayer(conn, guardMs, {
    escaped: () => {
      escapedAt ??= { sent, time: clock.now() };
      stack.remove(layer);
    },
    carrierLost: () => {},
  });
  stack.push(layer);
  const remoteSent: Buffer[] = [];
  /** When each byte of the host's stream was sent. */
  const sentAt: number[] = [];
  for (const s of steps) {
    clock.advance(s.delay);
    if (escapedAt) break;
    if (s.remote.length > 0 && conn.receiver) {
      remoteSent.push(s.remote);
      conn.receiver.data(s.remote);
    }
    for (let i = 0; i < s.bytes.length; i++) sentAt.push(clock.now());
    sent += s.bytes.length;
    host.write(s.bytes);
  }
  clock.advance(guardMs + 1);
  return { conn, escapedAt, sentAt, heard, toHost: Buffer.concat(toHost), remote: Buffer.concat(remoteSent) };
}

const bytes = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('+', '++', '+++', '++++', 'a+++', '+++a').map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b)) },
);
const stepArb = (guardMs: number): fc.Arbitrary<Step> =>
  fc.record({
    delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: guardMs * 2 + 10 }), fc.constant(guardMs), fc.constant(Math.max(0, guardMs - 1))),
    bytes,
    remote: fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b))),
  });

const inputArb = fc.integer({ min: 0, max: 2000 }).chain((guardMs) =>
  fc.record({
    guardMs: fc.constant(guardMs),
    steps: fc.array(stepArb(guardMs), { maxLength: 15 }),
    /** Where a well-formed escape is inserted, if at all. */
    escapeAt: fc.option(fc.nat(), { nil: undefined }),
  }),
);

type Input = { guardMs: number; steps: Step[]; escapeAt?: number };

describe('fuzz: online data and the +++ escape', () => {
  it('passes every byte up to the escape, removes exactly its +++, escapes only after silence, never misses a real escape', () =>
    fuzz<Input>({
      target: 'online-escape',
      encoding: '{ guardMs, steps: [{ delay, bytes (hex), remote (hex) }], escapeAt }',
      toJson: (x) => ({ ...x, steps: x.steps.map((s) => ({ delay: s.delay, bytes: hex.to(s.bytes), remote: hex.to(s.remote) })) }),
      fromJson: (j) => {
        const x = j as { guardMs: number; steps: Array<{ delay: number; bytes: string; remote: string }>; escapeAt?: number };
        return { ...x, steps: x.steps.map((s) => ({ delay: s.delay, bytes: hex.from(s.bytes), remote: hex.from(s.remote) })) };
      },
      arbitrary: inputArb,
      shortRuns: 1500,
      check: ({ guardMs, steps, escapeAt }) => {
        const all = [...steps];
        if (escapeAt !== undefined) {
          const at = escapeAt % (all.length + 1);
          // Silence, "+++" alone, silence: the documented escape (a guard of 0 needs no pause).
          all.splice(at, 0, { delay: guardMs, bytes: Buffer.from('+++'), remote: Buffer.alloc(0) }, { delay: guardMs + 1, bytes: Buffer.from('AT\r'), remote: Buffer.alloc(0) });
        }
        const r = run(guardMs, all);
        const hostStream = Buffer.concat(all.map((s) => s.bytes));
        const forwarded = Buffer.concat(r.conn.sent);
        assert.ok(r.heard.length === 0, 'the terminal hears nothing while online');
        assert.deepEqual(r.toHost, r.remote, "the remote's bytes reach the host unchanged");
        if (escapeAt !== undefined) assert.ok(r.escapedAt, 'a well-formed escape was missed');
        if (!r.escapedAt) {
          assert.deepEqual(forwarded, hostStream);
          return;
        }
        // Everything before the escape's three '+' went to the connection, nothing after.
        const n = forwarded.length;
        assert.deepEqual(forwarded, hostStream.subarray(0, n));
        assert.equal(hostStream.subarray(n, n + 3).toString('latin1'), '+++');
        assert.ok(r.escapedAt.sent >= n + 3);
        // Silence of the guard time before the first '+' and after the last one.
        const first = r.sentAt[n]!;
        const before = n === 0 ? first : first - r.sentAt[n - 1]!;
        assert.ok(guardMs === 0 || n === 0 || before >= guardMs, `escape after ${before} ms of silence (guard ${guardMs})`);
        assert.ok(r.escapedAt.time - r.sentAt[n + 2]! >= guardMs, 'escape reported before the guard time after it');
        for (const k of [n + 1, n + 2]) {
          const gap = r.sentAt[k]! - r.sentAt[k - 1]!;
          assert.ok(gap === 0 || gap < guardMs, `an escape's '+' ${gap} ms apart (guard ${guardMs})`);
        }
      },
    }));
});
