import type { TimerHandle } from '@modemlab/at';
import type { RadioLink } from '../network/radio-link.js';

interface Pending {
  at: number;
  deliver: () => void;
}

/** Largest piece of a stream put on the air at once (one TCP segment). */
export const SEGMENT = 1400;

/**
 * One direction of the radio link, on the module clock: each piece waits for its time on
 * air (bandwidth, one after the other), then for the one-way latency, then for the link to
 * be able to carry it (coverage; for downlink PSM and the eDRX paging occasion). Ordered
 * queues (TCP) never deliver a piece before an earlier one; unordered ones (UDP) may.
 */
export class LinkQueue {
  private queue: Pending[] = [];
  private airFreeAt = 0;
  private lastAt = 0;
  private timer?: TimerHandle;
  private closed = false;
  private readonly onRelease = () => this.pump();

  constructor(
    private readonly link: RadioLink,
    private readonly dir: 'up' | 'down',
    private readonly ordered = true,
  ) {
    link.on('release', this.onRelease);
  }

  /** Schedules `deliver` for a piece of `bytes` bytes; `extraMs` delays it further (a late datagram). */
  schedule(bytes: number, deliver: () => void, extraMs = 0): void {
    if (this.closed) return;
    const now = this.link.clock.now();
    this.airFreeAt = Math.max(now, this.airFreeAt) + this.link.airtimeMs(bytes, this.dir);
    let at = this.airFreeAt + this.link.oneWayMs() + extraMs;
    if (this.ordered) at = Math.max(at, this.lastAt);
    this.lastAt = Math.max(this.lastAt, at);
    const item = { at, deliver };
    if (this.ordered) this.queue.push(item);
    else this.queue.splice(this.queue.findIndex((q) => q.at > at) >>> 0, 0, item);
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.timer?.cancel();
    this.link.off('release', this.onRelease);
  }

  private pump(): void {
    this.timer?.cancel();
    this.timer = undefined;
    while (!this.closed && this.queue.length > 0) {
      const now = this.link.clock.now();
      const head = this.queue[0]!;
      const ready = this.link.readyAt(this.dir);
      if (ready === undefined) return; // 'release' pumps again
      const due = Math.max(head.at, ready);
      if (due > now) {
        this.timer = this.link.clock.setTimeout(() => this.pump(), due - now);
        return;
      }
      this.queue.shift();
      this.link.activity();
      head.deliver();
    }
  }
}
