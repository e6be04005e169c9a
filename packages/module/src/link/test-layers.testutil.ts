import { pipePair, type BytePipe } from './byte-pipe.js';
import type { LinkLayer } from './link-stack.js';

export const xor = (bytes: Buffer, key: number): Buffer => Buffer.from(bytes.map((b) => b ^ key));

/** A layer that XORs every byte both ways: the smallest layer that visibly changes the bytes. */
export class XorLayer implements LinkLayer {
  readonly name = 'xor';
  opened = 0;
  closed = 0;
  private lower?: BytePipe;
  private inner?: BytePipe;

  constructor(private readonly key = 0x55) {}

  open(lower: BytePipe): BytePipe {
    this.opened++;
    const [upper, inner] = pipePair('xor');
    this.lower = lower;
    this.inner = inner;
    lower.attach({ data: (b) => inner.write(xor(b, this.key)), close: () => inner.close() });
    inner.attach({ data: (b) => lower.write(xor(b, this.key)), close: () => {} });
    return upper;
  }

  close(): void {
    this.closed++;
    this.lower?.detach();
    this.inner?.close();
  }
}
