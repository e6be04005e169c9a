import net from 'node:net';
import type { HostPort } from './parse.js';

/**
 * Whether binding `host` keeps the AT port on this machine. Only literal loopback counts
 * (127.0.0.0/8, ::1, its IPv4-mapped form, `localhost`): a name could resolve to anything,
 * and 0.0.0.0 / :: are every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Why an AT port beyond loopback is a risk: whoever reaches it can make the module open
 * connections to anything this host reaches, its own 127.0.0.1 services included.
 */
export function exposureWarning(tcp: HostPort): string {
  return (
    `modemlab: WARNING: the AT port listens on ${tcp.host}, beyond loopback (--expose): any client that reaches it ` +
    'can make the module connect wherever this machine can, including services bound to 127.0.0.1; ' +
    'keep --net lab (the default) on shared machines'
  );
}

export function exposureRefusal(tcp: HostPort): string {
  return (
    `modemlab: --tcp ${tcp.host} binds beyond loopback: any client that reaches it can make the module connect ` +
    'wherever this machine can. Add --expose to do it anyway (see docs/guide.md, Security), or bind 127.0.0.1'
  );
}
