import { PipeBase, type BytePipe } from './byte-pipe.js';

export type LinkDirection = 'up' | 'down';

/** Sees the bytes crossing one level of a link stack ('up' toward the terminal). */
export type LinkTap = (level: string, direction: LinkDirection, bytes: Buffer) => void;

/**
 * The stack's own joint above each level: whoever is above (the next layer or the
 * terminal) speaks this instead of the level's pipe, so the stack can hand bytes the
 * terminal had not read yet to a new layer (`inject`), re-attach the level to whatever is
 * above after a push or pop, and let a tap see every byte with the level it crossed.
 */
export class Junction extends PipeBase {
  tap?: LinkTap;

  constructor(readonly below: BytePipe) {
    super(below.name);
    below.attach({
      data: (bytes) => {
        this.tap?.(this.name, 'up', bytes);
        this.deliver(bytes);
      },
      close: () => this.shut(),
    });
  }

  write(bytes: Buffer): void {
    if (!this.isOpen || bytes.length === 0) return;
    this.tap?.(this.name, 'down', bytes);
    this.below.write(bytes);
  }

  /** Bytes that came from below earlier and were not consumed: the receiver gets them now. */
  inject(bytes: Buffer): void {
    if (bytes.length > 0) this.deliver(bytes);
  }

  /** Closing a junction closes the level under it. */
  override close(): void {
    this.below.close();
    this.shut();
  }

  /** The stack lets go of this level (its layer was popped): the level's pipe stays as it is. */
  release(): void {
    this.below.detach();
    this.detach();
  }
}
