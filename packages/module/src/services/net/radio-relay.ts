import { createSocket as createUdpSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type { RadioLink } from '../network/radio-link.js';
import { LinkQueue, SEGMENT } from './link-queue.js';

/**
 * Puts the radio link between the module's TCP socket `raw` and the connected `upstream`:
 * `raw` connects to a one-shot loopback relay whose other end forwards each way through a
 * LinkQueue. Every client above (sockets, TLS, HTTP, MQTT, FTP) keeps its own real socket
 * and sees the cellular link's latency and bandwidth, on the module clock.
 */
export async function relayThroughRadio(link: RadioLink, raw: Socket, upstream: Socket, localPort?: number): Promise<void> {
  // Half-open: the module's end (FIN) must travel behind its queued data. Without it the relay
  // answered the FIN at once, `raw` closed, and the dialer destroyed `upstream` with the queued
  // bytes still in the uplink queue (an FTP store arrived truncated, and early).
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      raw.once('error', reject);
      raw.connect({ host: '127.0.0.1', port, ...(localPort !== undefined ? { localPort } : {}) }, () => {
        raw.off('error', reject);
        resolve();
      });
    });
  } finally {
    server.close();
  }
  wire(link, await accepted, upstream);
}

function wire(link: RadioLink, inner: Socket, upstream: Socket): void {
  inner.setNoDelay(true);
  upstream.setNoDelay(true);
  const up = new LinkQueue(link, 'up');
  const down = new LinkQueue(link, 'down');
  const forward = (from: Socket, to: Socket, q: LinkQueue) => {
    from.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += SEGMENT) {
        const piece = chunk.subarray(i, i + SEGMENT);
        q.schedule(piece.length, () => to.writable && to.write(piece));
      }
    });
    from.on('end', () => q.schedule(0, () => to.writable && to.end()));
  };
  forward(inner, upstream, up);
  forward(upstream, inner, down);
  let closed = 0;
  const onClose = (hadError: boolean, other: Socket) => {
    // A reset travels at once, as on a real network (what was in flight is lost); an orderly
    // close was queued as an end behind the data, so the queues drain before they stop.
    if (hadError) {
      up.close();
      down.close();
      if (!other.destroyed) other.resetAndDestroy();
    }
    if (++closed === 2) {
      up.close();
      down.close();
    }
  };
  inner.on('error', () => {});
  upstream.on('error', () => {});
  inner.on('close', (hadError) => onClose(hadError, upstream));
  upstream.on('close', (hadError) => onClose(hadError, inner));
}

/**
 * Shapes a UDP socket of the module's stack: datagrams it sends and receives cross the
 * radio link (airtime, latency with jitter, loss, reordering, PSM/eDRX for received ones)
 * while a profile is set; straight through when the link is 'off'.
 */
export function shapeUdp(link: RadioLink, udp: UdpSocket): UdpSocket {
  const up = new LinkQueue(link, 'up', false);
  const down = new LinkQueue(link, 'down', false);
  const send = udp.send.bind(udp) as (...args: unknown[]) => void;
  const emit = udp.emit.bind(udp) as (event: string | symbol, ...args: unknown[]) => boolean;
  const late = () => (link.udpReordered() ? link.rttMs() : 0);
  (udp as { send: unknown }).send = (msg: Buffer | string | Uint8Array[], ...rest: unknown[]) => {
    if (!link.active) return send(msg, ...rest);
    const cb = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as (err: Error | null, bytes: number) => void) : undefined;
    const length = typeof rest[1] === 'number' && typeof rest[0] === 'number' ? (rest[1] as number) : byteLength(msg);
    // The radio took the datagram: the sender learns nothing of its fate, as on a real network.
    if (!link.udpLost()) {
      up.schedule(length + 28, () => {
        try {
          send(msg, ...rest, () => {});
        } catch {
          /* closed meanwhile: the datagram is gone */
        }
      }, late());
    }
    if (cb) queueMicrotask(() => cb(null, length));
  };
  (udp as { emit: unknown }).emit = (event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message' || !link.active) return emit(event, ...args);
    if (!link.udpLost()) down.schedule((args[0] as Buffer).length + 28, () => emit(event, ...args), late());
    return true;
  };
  udp.once('close', () => {
    up.close();
    down.close();
  });
  return udp;
}

const byteLength = (msg: Buffer | string | Uint8Array[]): number => (Array.isArray(msg) ? msg.reduce((n, b) => n + b.length, 0) : Buffer.byteLength(msg));

/**
 * A loopback UDP relay across the radio link to `target`, for a client that owns its UDP
 * socket (the DTLS library): datagrams from the client go up to the target, the target's
 * come down to the last client address, each with airtime, latency, loss and reordering.
 */
export async function udpRelay(link: RadioLink, target: { host: string; port: number }): Promise<{ host: string; port: number; close(): void }> {
  const sock = createUdpSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => {});
  const up = new LinkQueue(link, 'up', false);
  const down = new LinkQueue(link, 'down', false);
  const late = () => (link.udpReordered() ? link.rttMs() : 0);
  const send = (msg: Buffer, port: number, host: string) => {
    try {
      sock.send(msg, port, host, () => {});
    } catch {
      /* closed meanwhile */
    }
  };
  let client: { address: string; port: number } | undefined;
  sock.on('message', (msg, from) => {
    const fromTarget = from.port === target.port && (from.address === target.host || target.host === 'localhost');
    if (!fromTarget) client = { address: from.address, port: from.port };
    const to = fromTarget ? client : { address: target.host, port: target.port };
    if (!to || link.udpLost()) return;
    (fromTarget ? down : up).schedule(msg.length + 28, () => send(msg, to.port, to.address), late());
  });
  return {
    host: '127.0.0.1',
    port: (sock.address() as { port: number }).port,
    close: () => {
      up.close();
      down.close();
      sock.close();
    },
  };
}
