import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import { parseInfoLine } from '../../params.js';
import type { SocketBackend } from '../../socket/modem-socket.js';

/** One u-blox TCP socket: +USOWR in binary (@) mode, +USORD read raw by length, +UUSORD/+UUSOCL URCs. */
export class UbloxSocketBackend implements SocketBackend {
  readonly maxWrite = 1024;
  readonly maxRead = 1024;
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly client: AtClient,
    readonly id: number,
  ) {}

  write(data: Buffer): Promise<void> {
    return this.client
      .send(`AT+USOWR=${this.id},${data.length}`, { prompt: { data, char: '@' }, timeoutMs: 120_000 })
      .then(() => undefined);
  }

  async read(max: number): Promise<Buffer> {
    const command = `AT+USORD=${this.id},${max}`;
    // The payload is exactly <length> raw bytes between quotes: read it by count, not as text.
    const r = await this.client.send(command, { binaryHeader: /^\+USORD: ?\d+,(\d+),"$/ });
    if (r.binary.length > 0) return Buffer.concat(r.binary);
    const params = r.lines.map((l) => parseInfoLine(l)).find((i) => i.prefix === '+USORD')?.params;
    if (!params) throw new AtError(command, r.lines, `${command}: no +USORD in the response`);
    return Buffer.alloc(0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.send(`AT+USOCL=${this.id}`, { timeoutMs: 120_000 }).catch(() => {});
  }

  private availableListener?: (available: number) => void;

  /** Reports a count learned without a URC (the +USORD=<s>,0 query right after connect). */
  announce(available: number): void {
    this.availableListener?.(available);
  }

  onAvailable(listener: (available: number) => void): void {
    this.availableListener = listener;
    this.unsubscribe.push(
      this.client.onUrc('+UUSORD', (line) => {
        const [id, n] = parseInfoLine(line).params;
        if (Number(id) === this.id) listener(Number(n));
      }),
    );
  }

  onRemoteClose(listener: () => void): void {
    this.unsubscribe.push(
      this.client.onUrc('+UUSOCL', (line) => {
        if (Number(parseInfoLine(line).params[0]) === this.id) {
          this.closed = true;
          listener();
        }
      }),
    );
  }

  /** +USOSO: TCP_NODELAY is level 6 option 1, SO_KEEPALIVE level 65535 option 8. */
  async setOption(option: 'nodelay' | 'keepalive', value: boolean): Promise<void> {
    const [level, name] = option === 'nodelay' ? [6, 1] : [65535, 8];
    await this.client.send(`AT+USOSO=${this.id},${level},${name},${value ? 1 : 0}`);
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}
