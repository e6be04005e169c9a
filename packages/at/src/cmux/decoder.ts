/**
 * A streaming 27.010 basic-option decoder: push any chunks, get whole frames.
 * The basic option has no byte stuffing, so a frame is found by its opening flag and its
 * length field, and accepted only if its closing flag and FCS are right. On any fault the
 * decoder drops the frame, counts why, and resynchronises on the next flag after the bad
 * frame's opening flag (so a frame that follows a truncated one is still found).
 * It never throws on input bytes.
 */
import { fcsValid } from './fcs.js';
import { CMUX_FLAG, CMUX_MAX_LENGTH, frameTypeOf, PF_BIT, type CmuxFrame } from './frame.js';

/** Why a frame was dropped. */
export type CmuxDropReason =
  /** The FCS did not check. */
  | 'fcs'
  /** No closing flag where the length field said the frame ends. */
  | 'truncated'
  /** The length field is larger than the negotiated N1. */
  | 'oversize'
  /** An extended address (EA=0, not in the basic option) or an unknown frame type. */
  | 'header';

export interface CmuxDecoderStats {
  frames: number;
  dropped: Record<CmuxDropReason, number>;
  /** Bytes outside any frame (before a flag, or skipped while resynchronising). */
  discardedBytes: number;
}

export interface CmuxDecoderOptions {
  /** Largest information field accepted (N1). Default: the two-byte length maximum. */
  maxLength?: number;
  /** Told about each dropped frame (for a trace or a log). */
  onDrop?: (reason: CmuxDropReason) => void;
}

export class CmuxDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private maxLength: number;
  /** Set by `stop()` from a frame callback: the rest of the input is not frames. */
  private stopped = false;
  readonly stats: CmuxDecoderStats = {
    frames: 0,
    dropped: { fcs: 0, truncated: 0, oversize: 0, header: 0 },
    discardedBytes: 0,
  };

  constructor(
    private readonly onFrame: (frame: CmuxFrame) => void,
    private readonly options: CmuxDecoderOptions = {},
  ) {
    this.maxLength = options.maxLength ?? CMUX_MAX_LENGTH;
  }

  /** Changes N1 (e.g. after +CMUX or a PN negotiation); frames in flight are judged by it. */
  setMaxLength(n1: number): void {
    this.maxLength = Math.min(Math.max(1, Math.floor(n1)), CMUX_MAX_LENGTH);
  }

  /** Bytes held while a frame is incomplete. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Forgets a partial frame (e.g. when the link goes back to plain AT). */
  reset(): void {
    this.pending = Buffer.alloc(0);
  }

  /**
   * Called from a frame callback (a CLD): decoding stops after that frame, and the bytes
   * behind it are kept for `takeRest()` instead of being read as frames.
   */
  stop(): void {
    this.stopped = true;
  }

  /** After `stop()`: the bytes that followed the last frame, handed over once. */
  takeRest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.stopped) {
      this.pending = Buffer.concat([this.pending, chunk]);
      return;
    }
    const buf = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    for (;;) {
      // Find an opening flag; what precedes it is noise.
      const flag = buf.indexOf(CMUX_FLAG, pos);
      if (flag < 0) {
        this.stats.discardedBytes += buf.length - pos;
        pos = buf.length;
        break;
      }
      this.stats.discardedBytes += flag - pos;
      pos = flag;
      // Adjacent flags: the last one opens the frame (a closing flag may double as opening).
      let start = pos;
      while (start + 1 < buf.length && buf[start + 1] === CMUX_FLAG) start++;
      pos = start;
      const result = this.tryFrame(buf, start);
      if (result === 'incomplete') break;
      if (typeof result === 'number') {
        if (this.stopped) {
          pos = result + 1; // what follows the closing flag is not ours
          break;
        }
        pos = result; // the closing flag: it may open the next frame
        continue;
      }
      this.drop(result);
      pos = start + 1; // resynchronise after the bad frame's opening flag
    }
    this.pending = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }

  /**
   * Decodes the frame whose opening flag is at `start`: the index of its closing flag,
   * 'incomplete' when more bytes are needed, or why it is dropped.
   */
  private tryFrame(buf: Buffer, start: number): number | 'incomplete' | CmuxDropReason {
    const have = buf.length - start;
    if (have < 3) return 'incomplete';
    const address = buf[start + 1]!;
    const control = buf[start + 2]!;
    if ((address & 0x01) === 0) return 'header';
    // An unknown frame type is judged at once, not after its length: a length field read
    // from noise behind a flag would otherwise swallow the frames that follow (the host's
    // SABM/DISC closing the mux), which the fuzzer found (test/fuzz/corpus/cmux-module.json).
    const type = frameTypeOf(control);
    if (!type) return 'header';
    if (have < 4) return 'incomplete';
    const len0 = buf[start + 3]!;
    let length: number;
    let headerEnd: number; // index after the length field
    if (len0 & 0x01) {
      length = len0 >> 1;
      headerEnd = start + 4;
    } else {
      if (have < 5) return 'incomplete';
      length = (len0 >> 1) | (buf[start + 4]! << 7);
      headerEnd = start + 5;
    }
    if (length > this.maxLength) return 'oversize';
    const fcsAt = headerEnd + length;
    const closeAt = fcsAt + 1;
    if (closeAt >= buf.length) return 'incomplete';
    if (buf[closeAt] !== CMUX_FLAG) return 'truncated';
    const checkedEnd = type === 'UIH' ? headerEnd : fcsAt;
    if (!fcsValid(buf, buf[fcsAt]!, start + 1, checkedEnd)) return 'fcs';
    this.stats.frames++;
    this.onFrame({
      dlci: address >> 2,
      type,
      cr: (address & 0x02) !== 0,
      pf: (control & PF_BIT) !== 0,
      data: Buffer.from(buf.subarray(headerEnd, fcsAt)),
    });
    return closeAt;
  }

  private drop(reason: CmuxDropReason): void {
    this.stats.dropped[reason]++;
    this.options.onDrop?.(reason);
  }
}
