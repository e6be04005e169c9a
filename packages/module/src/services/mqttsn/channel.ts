/** One datagram path to the gateway: plain UDP or a DTLS session, both from the dialer. */
import type { Dialer } from '../net/dialer.js';

export interface SnChannel {
  send(data: Buffer): void;
  onMessage(handler: (data: Buffer) => void): void;
  close(): void;
}

export async function openChannel(dialer: Dialer, address: string, port: number, secureProfile?: number): Promise<SnChannel> {
  const cid = dialer.dataPath();
  const meter = dialer.meter(cid);
  if (secureProfile !== undefined) {
    const session = await dialer.dtls({ profileId: secureProfile, address, port });
    session.on('error', () => undefined);
    return {
      send: (d) => {
        meter.add(d.length, 0);
        session.send(d).catch(() => undefined);
      },
      onMessage: (h) => session.on('message', (d: Buffer) => {
        meter.add(0, d.length);
        h(d);
      }),
      close: () => session.close(),
    };
  }
  // The lab's forwards and network policy apply to the gateway's datagrams as to any other.
  const target = dialer.udpRoute(address, port);
  const udp = dialer.udp();
  udp.on('error', () => undefined);
  await new Promise<void>((resolve) => udp.bind(0, () => resolve()));
  return {
    send: (d) => {
      meter.add(d.length, 0);
      udp.send(d, target.port, target.host);
    },
    onMessage: (h) =>
      udp.on('message', (d) => {
        meter.add(0, d.length);
        h(d);
      }),
    close: () => {
      try {
        udp.close();
      } catch {
        // already closed
      }
    },
  };
}
