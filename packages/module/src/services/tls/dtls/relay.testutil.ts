import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';

/** What the relay does with a datagram: forward it, forward it twice, drop it, or hold it until the next one in its direction has gone. */
export type RelayAction = 'pass' | 'duplicate' | 'drop' | 'hold';

/** Which way a datagram goes and what its first record is (epoch-0 handshake records show their message type). */
export interface DatagramView {
  toServer: boolean;
  /** Record content type of the first record (20 CCS, 21 alert, 22 handshake, 23 data). */
  contentType: number;
  /** Handshake message type of the first record when it is a plaintext handshake record. */
  handshakeType?: number;
  /** Content types of every record in the datagram. */
  contentTypes: number[];
}

/**
 * A UDP relay on loopback between one client and a server: each datagram goes through
 * `decide`, which drops, holds (reorders) or passes it. Deterministic: no timers.
 */
export async function udpRelay(serverPort: number, decide: (d: DatagramView) => RelayAction): Promise<{ port: number; dropped: () => number; waitDropped(n: number): Promise<void>; close(): void }> {
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  let client: RemoteInfo | undefined;
  let dropped = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const held = { toServer: [] as Buffer[], toClient: [] as Buffer[] };
  const forward = (msg: Buffer, toServer: boolean) => {
    if (toServer) sock.send(msg, serverPort, '127.0.0.1');
    else if (client) sock.send(msg, client.port, client.address);
  };
  sock.on('message', (msg, from) => {
    const toServer = !(from.port === serverPort && from.address === '127.0.0.1');
    if (toServer) client = from;
    const contentTypes: number[] = [];
    for (let at = 0; at + 13 <= msg.length; at += 13 + msg.readUInt16BE(at + 11)) contentTypes.push(msg[at]!);
    const epoch = msg.length >= 5 ? msg.readUInt16BE(3) : -1;
    const view: DatagramView = { toServer, contentType: msg[0] ?? 0, contentTypes, ...(msg[0] === 22 && epoch === 0 && msg.length > 13 ? { handshakeType: msg[13]! } : {}) };
    const action = decide(view);
    const queue = toServer ? held.toServer : held.toClient;
    if (action === 'drop') {
      dropped++;
      for (const w of waiters.filter((x) => dropped >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return;
    }
    if (action === 'hold') {
      queue.push(msg);
      return;
    }
    forward(msg, toServer);
    if (action === 'duplicate') forward(msg, toServer);
    for (const h of queue.splice(0)) forward(h, toServer);
  });
  const port = (sock.address() as { port: number }).port;
  return {
    port,
    dropped: () => dropped,
    waitDropped: (n) => (dropped >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    close: () => sock.close(),
  };
}
