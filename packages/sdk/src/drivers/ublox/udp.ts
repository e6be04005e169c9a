import { EventEmitter } from 'node:events';
import type { AtClient } from '../../at-client.js';
import { parseInfoLine, quote } from '../../params.js';

export interface UdpMessageInfo {
  address: string;
  port: number;
}

export interface UdpSocketEvents {
  message: [Buffer, UdpMessageInfo];
  error: [Error];
}

/** A UDP socket of the module: +USOST binary sends, +UUSORF announcements read with +USORF. */
export class UbloxUdpSocket extends EventEmitter<UdpSocketEvents> {
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly client: AtClient,
    readonly id: number,
  ) {
    super();
    this.unsubscribe = client.onUrc('+UUSORF', (line) => {
      const [sid, length] = parseInfoLine(line).params;
      if (Number(sid) === this.id) this.receive(Number(length)).catch((err: Error) => this.emit('error', err));
    });
  }

  async send(data: Buffer | string, port: number, host: string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.client.send(`AT+USOST=${this.id},${quote(host)},${port},${bytes.length}`, { prompt: { data: bytes, char: '@' } });
  }

  /** One datagram per +USORF; the header names the sender, then exactly <length> raw bytes. */
  private async receive(length: number): Promise<void> {
    const r = await this.client.send(`AT+USORF=${this.id},${Math.min(length, 1024)}`, { binaryHeader: /^\+USORF: ?\d+,"[^"]*",\d+,(\d+),"$/ });
    const header = r.lines.find((l) => l.startsWith('+USORF'));
    const m = header ? /^\+USORF: ?\d+,"([^"]*)",(\d+),/.exec(header) : null;
    if (!m) return;
    this.emit('message', Buffer.concat(r.binary), { address: m[1]!, port: Number(m[2]) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    await this.client.send(`AT+USOCL=${this.id}`).catch(() => {});
  }
}
