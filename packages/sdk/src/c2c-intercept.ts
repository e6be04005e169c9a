/**
 * Chip-to-chip framing as an AtClient stream intercept (notes/c2c-and-host-libraries.md
 * §1.3-1.10): every write is one run of frames of at most 255 plaintext bytes (a command
 * line ends a frame, as ubxlib's flush does); received frames are decoded as they
 * complete, and frames failing the FCS or the MAC/hash are dropped and counted, never
 * handed to the AT parser. The codec is @modemlab/at's, the module's own.
 */
import { C2C_HOST_MAX_PLAIN, C2cDecoder, sealFrames, type C2cDropReason, type C2cKeys } from '@modemlab/at';
import type { StreamIntercept } from './at-client.js';

export const C2C_INTERCEPT = 'c2c';

export interface C2cInterceptOptions {
  /** Told about each dropped frame (a log). */
  onDrop?: (reason: C2cDropReason) => void;
}

export class C2cIntercept implements StreamIntercept {
  readonly name = C2C_INTERCEPT;
  private readonly decoder: C2cDecoder;
  private deliver?: (plain: Buffer) => void;

  constructor(
    readonly keys: C2cKeys,
    options: C2cInterceptOptions = {},
  ) {
    this.decoder = new C2cDecoder(keys, (plain) => this.deliver?.(plain), options.onDrop ? { onDrop: options.onDrop } : {});
  }

  /** Frames decoded, dropped by reason, bytes discarded. */
  get stats(): C2cDecoder['stats'] {
    return this.decoder.stats;
  }

  transmit(data: Buffer): Buffer {
    return data.length === 0 ? data : sealFrames(this.keys, data, C2C_HOST_MAX_PLAIN);
  }

  receive(data: Buffer, deliver: (plain: Buffer) => void): void {
    this.deliver = deliver;
    this.decoder.push(data);
  }

  detach(): void {
    this.decoder.stop();
  }

  takeRest(): Buffer {
    return this.decoder.takeRest();
  }
}
