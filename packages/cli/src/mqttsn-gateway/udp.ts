import { createSocket, type Socket } from 'node:dgram';
import type { DatagramEndpoint } from './datagram.js';

/** A plain UDP MQTT-SN endpoint (the spec's default transport). */
export async function listenUdp(host: string, port: number): Promise<DatagramEndpoint & { port: number }> {
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const sock: Socket = createSocket(family);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  // A send error on one peer (ICMP unreachable etc.) must not kill the gateway.
  sock.on('error', () => undefined);
  const addr = sock.address();
  return {
    port: addr.port,
    description: `udp ${addr.address}:${addr.port}`,
    onMessage(handler) {
      sock.on('message', (msg, rinfo) => handler(`${rinfo.address}:${rinfo.port}`, msg));
    },
    send(peer, data) {
      const i = peer.lastIndexOf(':');
      sock.send(data, Number(peer.slice(i + 1)), peer.slice(0, i));
    },
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
