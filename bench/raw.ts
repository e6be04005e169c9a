/**
 * The baselines: the cheapest possible "modem" that answers `\r\nOK\r\n` to every line
 * ending in CR, over an in-process duplexPair or a loopback TCP socket, and a minimal raw
 * client that writes a command and waits for `OK\r\n`.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { duplexPair } from '../packages/module/src/transports/duplex-pair.js';

const OK = Buffer.from('\r\nOK\r\n', 'latin1');
const CR = 0x0d;

/** Makes `stream` answer OK per CR byte received: no parsing, no allocation per line. */
export function answerOkPerLine(stream: Duplex): void {
  stream.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) stream.write(OK);
  });
}

/** An in-process raw echo modem: returns the host end of a duplexPair. */
export function rawInProcess(): Duplex {
  const [host, far] = duplexPair();
  answerOkPerLine(far);
  far.on('error', () => {});
  return host;
}

export interface RawTcpServer {
  port: number;
  close(): Promise<void>;
}

/** A raw echo modem on 127.0.0.1 (ephemeral port). */
export function rawTcpServer(): Promise<RawTcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    answerOkPerLine(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

/** Connects a loopback TCP socket with Nagle off. */
export function connectLoopback(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/**
 * The minimal raw client: writes `line\r`, waits until the bytes received since contain
 * `OK\r\n`, repeats `count` times. Resolves with the elapsed nanoseconds. Rejects on
 * ERROR, end of stream, or if nothing completes within `stallMs` (a hang, not a timing).
 */
export function rawRoundTrips(stream: Duplex, line: string, count: number, stallMs = 5000): Promise<bigint> {
  const cmd = Buffer.from(`${line}\r`, 'latin1');
  return new Promise((resolve, reject) => {
    let done = 0;
    let got = '';
    let start = 0n;
    let stall: NodeJS.Timeout | undefined;
    const armStall = (): void => {
      clearTimeout(stall);
      stall = setTimeout(() => finish(new Error(`raw client: no answer to ${line} for ${stallMs} ms; got ${JSON.stringify(got)}`)), stallMs);
    };
    const finish = (err?: Error): void => {
      clearTimeout(stall);
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (err) reject(err);
      else resolve(process.hrtime.bigint() - start);
    };
    const onData = (chunk: Buffer): void => {
      got += chunk.toString('latin1');
      if (got.includes('OK\r\n')) {
        got = '';
        if (++done === count) return finish();
        if ((done & 255) === 0) armStall();
        stream.write(cmd);
      } else if (got.includes('ERROR')) {
        finish(new Error(`raw client: ${line} answered ${JSON.stringify(got)}`));
      }
    };
    const onEnd = (): void => finish(new Error('raw client: stream ended'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    armStall();
    start = process.hrtime.bigint();
    stream.write(cmd);
  });
}
