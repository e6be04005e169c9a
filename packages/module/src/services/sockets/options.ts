import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket as TcpSocket } from 'node:net';
import type { SocketProtocol } from './types.js';

/** Options a socket keeps; values are one number, or two for linger (on/off, time). */
export type SocketOption = 'ip-tos' | 'ip-ttl' | 'tcp-nodelay' | 'tcp-keepidle' | 'reuseaddr' | 'keepalive' | 'broadcast' | 'linger' | 'reuseport';

const OPTION_DEFAULTS: Record<SocketOption, readonly number[]> = {
  'ip-tos': [0],
  'ip-ttl': [64],
  'tcp-nodelay': [0],
  'tcp-keepidle': [7_200_000],
  reuseaddr: [0],
  keepalive: [0],
  broadcast: [0],
  linger: [0],
  reuseport: [0],
};
const TCP_ONLY: readonly SocketOption[] = ['tcp-nodelay', 'tcp-keepidle', 'keepalive', 'linger'];
const UDP_ONLY: readonly SocketOption[] = ['broadcast'];

/** Why an option does not apply to a protocol, or undefined when it does. */
export function optionMismatch(protocol: SocketProtocol, option: SocketOption): string | undefined {
  if (protocol === 'udp' && TCP_ONLY.includes(option)) return `${option} is a TCP option`;
  if (protocol === 'tcp' && UDP_ONLY.includes(option)) return `${option} is a UDP option`;
  return undefined;
}

/**
 * A socket's options: what the host set, the defaults for the rest. Node applies some of
 * them (no delay, keep-alive, broadcast, TTL); the others are kept and reported.
 */
export class SocketOptions {
  private readonly values: Map<SocketOption, readonly number[]>;

  constructor(from?: SocketOptions) {
    this.values = new Map(from?.values);
  }

  get(option: SocketOption): readonly number[] {
    return [...(this.values.get(option) ?? OPTION_DEFAULTS[option])];
  }

  set(option: SocketOption, value: readonly number[]): void {
    this.values.set(option, [...value]);
  }

  private first(option: SocketOption): number {
    return (this.values.get(option) ?? OPTION_DEFAULTS[option])[0]!;
  }

  applyTcp(raw: TcpSocket | undefined): void {
    if (!raw || raw.destroyed) return;
    try {
      raw.setNoDelay(this.first('tcp-nodelay') === 1);
      raw.setKeepAlive(this.first('keepalive') === 1, this.first('tcp-keepidle'));
    } catch {
      // a socket closing underneath: nothing to apply to
    }
  }

  applyUdp(udp: UdpSocket): void {
    try {
      udp.setBroadcast(this.first('broadcast') === 1);
      if (this.values.has('ip-ttl')) udp.setTTL(Math.max(1, this.first('ip-ttl')));
    } catch {
      // not bound, or closing underneath
    }
  }
}
