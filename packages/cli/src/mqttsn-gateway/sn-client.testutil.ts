/** A bare MQTT-SN test client: a UDP socket, the shared codec, and an awaitable inbox. */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mqttsn } from '@modemlab/at';

export class SnTestClient {
  private readonly sock = createSocket('udp4');
  private readonly inbox: mqttsn.SnMessage[] = [];
  private waiter: ((m: mqttsn.SnMessage) => void) | null = null;

  private constructor(private readonly port: number) {
    this.sock.on('message', (b) => {
      const m = mqttsn.decode(b);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(m);
      } else this.inbox.push(m);
    });
  }

  static async open(gatewayPort: number): Promise<SnTestClient> {
    const c = new SnTestClient(gatewayPort);
    c.sock.bind(0, '127.0.0.1');
    await once(c.sock, 'listening');
    return c;
  }

  send(m: mqttsn.SnMessage | Buffer): void {
    this.sock.send(Buffer.isBuffer(m) ? m : mqttsn.encode(m), this.port, '127.0.0.1');
  }

  next(): Promise<mqttsn.SnMessage> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async request(m: mqttsn.SnMessage): Promise<mqttsn.SnMessage> {
    this.send(m);
    return this.next();
  }

  close(): void {
    this.sock.close();
  }
}
