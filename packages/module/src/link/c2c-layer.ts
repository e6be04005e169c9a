/**
 * Chip-to-chip security as a link layer (seed 001 §5.1, notes/c2c-and-host-libraries.md
 * §1.3-1.10). Pushed on a terminal's stack after the plain `OK` of `AT+USECC2C=1`: from
 * then on every byte of that terminal, both ways, is framed and encrypted.
 *
 * - Down (module to host): each write of the terminal (a response, a URC: the terminal
 *   writes once per turn) is one run of frames of at most 1040 plaintext bytes each.
 * - Up (host to module): frames are decoded as they complete; frames that fail the FCS or
 *   the MAC/hash, frames over the host limit (255 plaintext bytes) and noise are dropped,
 *   counted and logged, with nothing said to the AT layer (as the notes describe the module).
 * - Popped after the framed `OK` of `AT+USECC2C=2` (or 3); `end()` pops it at power-off.
 *
 * Works on any pipe: the port, or a CMUX channel (CMUX first, then C2C inside a channel).
 */
import { C2C_HOST_MAX_PLAIN, C2C_MODULE_MAX_PLAIN, C2cDecoder, maxBodyFor, sealFrames, type C2cKeys } from '@modemlab/at';
import { pipePair, type BytePipe, type PipeEnd } from './byte-pipe.js';
import type { LayerHost, LinkLayer, LinkStack } from './link-stack.js';

export interface C2cLayerOptions {
  /** Told when the layer is on the stack (the session has begun). */
  onOpen?: () => void;
  /** Told when the layer is popped or the stack closes (the session is over). */
  onClose?: () => void;
}

export class C2cLayer implements LinkLayer {
  readonly name = 'c2c';
  private readonly decoder: C2cDecoder;
  private lower?: BytePipe;
  private inner?: PipeEnd;
  private stack?: LinkStack;
  private closed = false;
  private host?: LayerHost;

  constructor(
    readonly keys: C2cKeys,
    private readonly options: C2cLayerOptions = {},
  ) {
    this.decoder = new C2cDecoder(keys, (plain) => this.inner?.write(plain), {
      maxBody: maxBodyFor(keys.version, C2C_HOST_MAX_PLAIN),
      onDrop: (reason) => this.host?.log(`c2c: dropped a frame from the host (${reason})`, this.decoder.stats),
    });
  }

  /** Frames decoded, frames dropped by reason, bytes discarded. */
  get stats(): C2cDecoder['stats'] {
    return this.decoder.stats;
  }

  open(lower: BytePipe, host: LayerHost, stack: LinkStack): BytePipe {
    this.lower = lower;
    this.host = host;
    this.stack = stack;
    const [upper, inner] = pipePair('c2c');
    this.inner = inner;
    lower.attach({ data: (bytes) => this.decoder.push(bytes), close: () => inner.close() });
    inner.attach({
      data: (bytes) => {
        if (!this.closed) lower.write(sealFrames(this.keys, bytes, C2C_MODULE_MAX_PLAIN));
      },
      close: () => {},
    });
    this.options.onOpen?.();
    return upper;
  }

  /** The session ends without a command (power-off): the terminal speaks plain AT again. */
  end(): void {
    // After output already written this turn has gone (the terminal flushes on setImmediate):
    // the OK of the +CFUN=16 that powered off still leaves framed, as it was inside the session.
    setImmediate(() => {
      if (!this.closed) this.stack?.remove(this);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lower?.detach();
    this.inner?.close();
    this.options.onClose?.();
  }
}
