/**
 * The receiving side of a C2C channel: push any chunks of the wire, get the plaintext of
 * each whole, valid frame, in order. It follows ubxlib's decode() (notes §1.10) where that
 * is safe and resynchronises more carefully where it is not:
 *
 * - bytes before a 0xF9 are discarded (counted);
 * - a length outside [smallest body, `maxBody`] makes the flag a false start: the search
 *   goes on from the next byte (ubxlib skips to the next flag, which is the same);
 * - a frame whose FCS fails is dropped and the search resumes right after its opening flag
 *   (ubxlib skips the whole frame, which also loses a good frame that a lost byte shifted
 *   into it);
 * - a frame whose FCS is good but whose MAC/hash or padding is not is dropped whole;
 * - after a frame, bytes up to and including the closing 0xF9 are consumed.
 *
 * It never throws on input bytes. Dropped frames are counted by reason and reported to
 * `onDrop` (the layer logs them). Written here, not taken from a library: no package speaks
 * this u-blox frame, and the codec must stay dependency-free.
 */
import { decryptBody, type BodyRejection } from './body.js';
import { fcs16 } from './fcs16.js';
import { C2C_FLAG } from './frame.js';
import { bodyOverhead, C2C_MODULE_MAX_PLAIN, checkKeys, maxBodyFor, type C2cKeys } from './keys.js';

export type C2cDropReason = 'fcs' | BodyRejection | 'oversize';

export interface C2cDecoderStats {
  frames: number;
  dropped: Record<C2cDropReason, number>;
  /** Bytes outside any frame: noise, false starts, what preceded a closing flag. */
  discardedBytes: number;
}

export interface C2cDecoderOptions {
  /** Largest body accepted. Default: the module-to-host limit of the key's version. */
  maxBody?: number;
  onDrop?: (reason: C2cDropReason) => void;
}

export class C2cDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** A frame was taken: the next 0xF9 closes it. */
  private closing = false;
  private stopped = false;
  private readonly minBody: number;
  private readonly maxBody: number;
  readonly stats: C2cDecoderStats = {
    frames: 0,
    dropped: { fcs: 0, length: 0, mac: 0, padding: 0, oversize: 0 },
    discardedBytes: 0,
  };

  constructor(
    private readonly keys: C2cKeys,
    private readonly onPlain: (plain: Buffer) => void,
    private readonly options: C2cDecoderOptions = {},
  ) {
    checkKeys(keys);
    this.minBody = bodyOverhead(keys.version) + 16;
    this.maxBody = options.maxBody ?? maxBodyFor(keys.version, C2C_MODULE_MAX_PLAIN);
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Called from `onPlain`: no more frames are decoded; the bytes behind are kept for `takeRest()`. */
  stop(): void {
    this.stopped = true;
  }

  /** After `stop()`: what followed the last frame (its closing flag removed), handed over once. */
  takeRest(): Buffer {
    let rest = this.pending;
    if (this.closing && rest[0] === C2C_FLAG) rest = rest.subarray(1);
    this.closing = false;
    this.pending = Buffer.alloc(0);
    return Buffer.from(rest);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buf = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    if (this.stopped) {
      this.pending = buf;
      return;
    }
    let pos = 0;
    while (pos < buf.length && !this.stopped) {
      const flag = buf.indexOf(C2C_FLAG, pos);
      if (flag < 0) {
        this.stats.discardedBytes += buf.length - pos;
        pos = buf.length;
        break;
      }
      this.stats.discardedBytes += flag - pos;
      pos = flag;
      if (this.closing) {
        // The previous frame's closing flag.
        this.closing = false;
        pos++;
        continue;
      }
      const result = this.tryFrame(buf, pos);
      if (result === 'incomplete') break;
      if (typeof result === 'number') {
        pos = result;
        continue;
      }
      this.drop(result);
      if (result === 'oversize') this.stats.discardedBytes++;
      pos++; // resynchronise after this flag
    }
    this.pending = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }

  /** The index after the frame opening at `start`, 'incomplete', or why it was dropped. */
  private tryFrame(buf: Buffer, start: number): number | 'incomplete' | C2cDropReason {
    if (buf.length - start < 3) return 'incomplete';
    const len = buf.readUInt16LE(start + 1);
    if (len < this.minBody || len > this.maxBody) return 'oversize';
    const end = start + 3 + len + 2;
    if (buf.length < end) return 'incomplete';
    if (buf.readUInt16LE(start + 3 + len) !== fcs16(buf.subarray(start + 1, start + 3 + len))) return 'fcs';
    const plain = decryptBody(this.keys, buf.subarray(start + 3, start + 3 + len));
    this.closing = true;
    if (!Buffer.isBuffer(plain)) {
      this.drop(plain);
      return end;
    }
    this.stats.frames++;
    if (plain.length > 0) this.onPlain(Buffer.from(plain));
    return end;
  }

  private drop(reason: C2cDropReason): void {
    this.stats.dropped[reason]++;
    this.options.onDrop?.(reason);
  }
}
