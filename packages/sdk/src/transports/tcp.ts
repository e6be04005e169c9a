/** TCP transport: a module (virtual or behind a serial-to-TCP bridge) at `tcp://host:port`. */
import net from 'node:net';
import { AtTimeoutError } from '../errors.js';

/** Parses `tcp://host:port` (IPv6 hosts in brackets). */
export function parseTcpUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  if (u.protocol !== 'tcp:') throw new TypeError(`not a tcp:// URL: ${url}`);
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`tcp URL needs a host and a port: ${url}`);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Connects to `tcp://host:port`; resolves once connected. */
export function connectTcp(url: string, opts: { timeoutMs?: number } = {}): Promise<net.Socket> {
  const { host, port } = parseTcpUrl(url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AtTimeoutError(`connect ${url}`, timeoutMs));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}
