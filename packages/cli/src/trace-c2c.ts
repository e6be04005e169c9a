/**
 * A port's (or CMUX channel's) bytes inside a C2C session (AT+USECC2C=1 answered OK), read
 * as C2C frames (packages/at/src/c2c, notes/c2c-and-host-libraries.md §1.3):
 * `F9 | len (2, LE) | body | FCS (2, LE, over len+body) | F9`. Each frame becomes a line with
 * its header fields (`[c2c] frame len 48 fcs 1a2b ok`); the body is encrypted, so its
 * plaintext comes from the trace's `c2c` level (the bytes above the C2C layer), which the
 * conversation reads as plain AT. Bytes outside frames are reported, never thrown on.
 * The session ends after the module's first frame once the plaintext closed it
 * (`AT+USECC2C=2` or `=3` answered OK inside the session): what follows is plain AT.
 */
import { C2C_FLAG, fcs16, type TraceDirection } from '@modemlab/at';

/** A line about the session's frames (a ConversationEvent; declared here, trace-conversation imports this file). */
interface FrameEvent {
  time: number;
  mark: '>' | '<';
  text: string;
}

export interface C2cReaderHooks {
  emit(e: FrameEvent): void;
  /** The session is over; `rest` followed its last frame in the same chunk. */
  ended(dir: TraceDirection, rest: Buffer, time: number): void;
}

const MARK: Record<TraceDirection, '>' | '<'> = { 'to-module': '>', 'from-module': '<' };
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class C2cFrameReader {
  private readonly pending: Record<TraceDirection, Buffer> = { 'to-module': Buffer.alloc(0), 'from-module': Buffer.alloc(0) };
  /** Per direction: a frame was read, its closing flag is next. */
  private readonly closingFlag: Record<TraceDirection, boolean> = { 'to-module': false, 'from-module': false };
  private closing = false;
  private done = false;

  constructor(private readonly hooks: C2cReaderHooks) {}

  /** The plaintext closed the session: the module's next frame is its last. */
  close(): void {
    this.closing = true;
  }

  push(dir: TraceDirection, bytes: Buffer, time: number): void {
    if (this.done) return;
    let buf = this.pending[dir].length === 0 ? bytes : Buffer.concat([this.pending[dir], bytes]);
    let noise = 0;
    for (;;) {
      if (this.closingFlag[dir] && buf.length > 0) {
        this.closingFlag[dir] = false;
        if (buf[0] === C2C_FLAG) buf = buf.subarray(1);
      }
      if (this.done) {
        this.pending[dir] = Buffer.alloc(0);
        return this.hooks.ended(dir, Buffer.from(buf), time);
      }
      const flag = buf.indexOf(C2C_FLAG);
      if (flag < 0) {
        noise += buf.length;
        buf = Buffer.alloc(0);
        break;
      }
      noise += flag;
      buf = buf.subarray(flag);
      if (buf.length < 3) break;
      const len = buf.readUInt16LE(1);
      if (buf.length < 3 + len + 2) break;
      const fcs = buf.readUInt16LE(3 + len);
      const ok = fcs === fcs16(buf.subarray(1, 3 + len));
      this.flushNoise(dir, noise, time);
      noise = 0;
      this.hooks.emit({ time, mark: MARK[dir], text: `[c2c] frame len ${len} fcs ${hex4(fcs)} ${ok ? 'ok' : 'bad'}` });
      buf = buf.subarray(3 + len + 2);
      this.closingFlag[dir] = true;
      if (this.closing && dir === 'from-module') {
        this.done = true;
        if (buf.length === 0) {
          // The closing flag may come in the next chunk.
          this.pending[dir] = Buffer.alloc(0);
          return this.hooks.ended(dir, Buffer.alloc(0), time);
        }
      }
    }
    this.flushNoise(dir, noise, time);
    this.pending[dir] = Buffer.from(buf);
  }

  private flushNoise(dir: TraceDirection, count: number, time: number): void {
    if (count > 0) this.hooks.emit({ time, mark: MARK[dir], text: `[c2c] ${count} byte${count === 1 ? '' : 's'} outside frames` });
  }
}

/** The trace level of the bytes above a C2C layer (the session's plaintext). */
export const isC2cLevel = (layer: string): boolean => /(?:^|\/)c2c$/.test(layer);

/**
 * Hands a `c2c` level chunk to the conversation of its port (or, inside CMUX, the channel)
 * whose C2C session is open; the level's `channel` is not known, so the first open one takes it.
 */
export function feedC2cPlain(
  conversations: Iterable<readonly [string, { conversation: { inC2c: boolean; c2cPlain(dir: TraceDirection, b: Buffer, t: number): void } }]>,
  port: string,
  dir: TraceDirection,
  bytes: Buffer,
  time: number,
): void {
  for (const [label, { conversation }] of conversations) {
    if ((label === port || label.startsWith(`${port}/`)) && conversation.inC2c) return conversation.c2cPlain(dir, bytes, time);
  }
}
