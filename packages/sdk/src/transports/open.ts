/** One entry point for every transport. */
import type { Duplex } from 'node:stream';
import { openSerial } from './serial.js';
import { fromStream } from './stream.js';
import { connectTcp } from './tcp.js';

export type TransportOptions =
  | { url: string; timeoutMs?: number }
  | { path: string; baudRate?: number }
  | { stream: Duplex };

/**
 * Opens the byte stream to a module: `{ url: 'tcp://host:port' }` (or `serial:/dev/ttyUSB0`),
 * `{ path, baudRate? }` for a serial port, or `{ stream }` for a Duplex given as is.
 */
export async function openTransport(opts: TransportOptions): Promise<Duplex> {
  if ('stream' in opts) return fromStream(opts.stream);
  if ('path' in opts) return openSerial(opts.path, opts.baudRate);
  if (opts.url.startsWith('tcp:')) return connectTcp(opts.url, { timeoutMs: opts.timeoutMs });
  if (opts.url.startsWith('serial:')) {
    const u = new URL(opts.url);
    const baud = u.searchParams.get('baudRate') ?? u.searchParams.get('baud');
    return openSerial(decodeURIComponent(u.pathname), baud ? Number(baud) : undefined);
  }
  throw new TypeError(`unsupported transport URL: ${opts.url} (expected tcp://host:port or serial:/dev/...)`);
}
