import type { AtClient } from '../../at-client.js';
import type { OnlineLink } from '../../online-link.js';
import type { SocketBackend } from '../../socket/modem-socket.js';

/** Above this many unread bytes the link stops reading from the module: the backpressure. */
const HIGH_WATER = 1 << 20;

/**
 * One u-blox socket in direct link mode (+USODL): the AT link itself carries the socket's
 * bytes both ways, with no command per kilobyte. Closing escapes with +++ (the module's S12
 * guard time before and after) and closes the socket with +USOCL.
 */
export class UbloxDirectLinkBackend implements SocketBackend {
  readonly maxWrite = 64 * 1024;
  readonly maxRead = 64 * 1024;
  private readonly received: Buffer[] = [];
  private receivedBytes = 0;
  private availableListener?: (available: number) => void;
  private remoteCloseListener?: () => void;
  private closing?: Promise<void>;

  constructor(
    private readonly client: AtClient,
    readonly id: number,
    private readonly link: OnlineLink,
    private readonly guardMs: number,
  ) {
    link.on('data', (data) => {
      this.received.push(data);
      this.receivedBytes += data.length;
      if (this.receivedBytes > HIGH_WATER) client.stream.pause();
      this.availableListener?.(this.receivedBytes);
    });
    link.on('end', (reason) => {
      if (reason !== 'escaped') this.remoteCloseListener?.();
    });
  }

  write(data: Buffer): Promise<void> {
    return this.link.write(data);
  }

  async read(max: number): Promise<Buffer> {
    const out: Buffer[] = [];
    let got = 0;
    while (got < max && this.received.length > 0) {
      const head = this.received[0]!;
      const take = Math.min(head.length, max - got);
      out.push(head.subarray(0, take));
      got += take;
      if (take === head.length) this.received.shift();
      else this.received[0] = head.subarray(take);
    }
    this.receivedBytes -= got;
    if (this.receivedBytes <= HIGH_WATER) this.client.stream.resume();
    return Buffer.concat(out, got);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.link.ended) await this.link.escape(this.guardMs).catch(() => {});
      await this.client.send(`AT+USOCL=${this.id}`, { timeoutMs: 120_000 }).catch(() => {});
    })();
    return this.closing;
  }

  onAvailable(listener: (available: number) => void): void {
    this.availableListener = listener;
  }

  onRemoteClose(listener: () => void): void {
    this.remoteCloseListener = listener;
  }

  dispose(): void {
    this.availableListener = undefined;
    this.remoteCloseListener = undefined;
  }
}
