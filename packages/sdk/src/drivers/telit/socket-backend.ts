import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import type { SocketBackend } from '../../socket/modem-socket.js';

const SSLSRING = /^SSLSRING:\s*(\d+)(?:,(\d+))?/;

/**
 * Telit secure socket in command mode (seed 003 §4.2.2): #SSLSENDEXT writes exactly <n>
 * bytes (binary safe, unlike #SSLSEND's Ctrl-Z), #SSLRECV answers `#SSLRECV: <n>` then
 * the n bytes raw, `TIMEOUT` or `DISCONNECTED`; `SSLSRING: <SSId>,<unread>` says data
 * reached an empty buffer;
 * `NO CARRIER` says the peer closed and everything was read.
 */
export class TelitSocketBackend implements SocketBackend {
  readonly maxWrite = 1023;
  readonly maxRead = 1000;
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;
  private remoteDone = false;
  /** SSLSRING URCs seen for this socket. */
  private rings = 0;
  /** #SSLRECV <Timeout> of a read that may find the buffer empty, x 100 ms (the minimum). */
  readonly probeTimeout = 1;
  private availableListener?: (available: number) => void;
  private remoteCloseListener?: () => void;

  constructor(
    private readonly client: AtClient,
    readonly ssid: number,
  ) {}

  async write(data: Buffer): Promise<void> {
    await this.client.send(`AT#SSLSENDEXT=${this.ssid},${data.length}`, { prompt: { data, char: '>' }, timeoutMs: 120_000 });
  }

  /**
   * SSLSRING comes when data reaches an empty buffer, so the host reads until the buffer is
   * empty: a read always asks for `maxRead`; a short answer emptied the buffer, a full one
   * may have left more (read again, the module waiting at most `probeTimeout` x 100 ms).
   * A ring that arrives meanwhile carries the newer count and wins.
   */
  async read(_max: number): Promise<Buffer> {
    const want = this.maxRead;
    const command = `AT#SSLRECV=${this.ssid},${want},${this.probeTimeout}`;
    const rings = this.rings;
    let data: Buffer;
    try {
      const r = await this.client.send(command, { binaryAfterLine: /^#SSLRECV: ?(\d+)$/, expectPrefix: ['#SSLRECV:', 'TIMEOUT', 'DISCONNECTED'], timeoutMs: 60_000 });
      data = Buffer.concat(r.binary);
      if (r.lines.some((l) => l === 'DISCONNECTED')) this.remoteClosed();
    } catch (error) {
      // The peer's close reported as the final result of the read.
      if (!(error instanceof AtError) || error.final !== 'NO CARRIER') throw error;
      this.remoteClosed();
      data = Buffer.alloc(0);
    }
    if (this.rings === rings) this.availableListener?.(data.length === want ? Number.MAX_SAFE_INTEGER : 0);
    return data;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.send(`AT#SSLH=${this.ssid}`, { timeoutMs: 30_000 }).catch(() => {});
  }

  /** Data counted without a URC (the first read right after connect). */
  announce(available: number): void {
    this.availableListener?.(available);
  }

  onAvailable(listener: (available: number) => void): void {
    this.availableListener = listener;
    this.unsubscribe.push(
      this.client.onUrc('SSLSRING', (line) => {
        const m = SSLSRING.exec(line);
        if (!m || Number(m[1]) !== this.ssid) return;
        this.rings++;
        listener(m[2] === undefined ? Number.MAX_SAFE_INTEGER : Number(m[2]));
      }),
    );
  }

  onRemoteClose(listener: () => void): void {
    this.remoteCloseListener = listener;
    this.unsubscribe.push(this.client.onUrc('NO CARRIER', () => this.remoteClosed()));
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private remoteClosed(): void {
    if (this.remoteDone || this.closed) return;
    this.remoteDone = true;
    this.remoteCloseListener?.();
  }
}
