import net from 'node:net';
import type { UartAttachable } from './types.js';

export interface TcpOptions {
  /** Interface to bind, e.g. '127.0.0.1' or '0.0.0.0'. */
  host: string;
  /** 0 picks a free port; the bound port is returned in `address`. */
  port: number;
  /** Told of each client refused with BUSY_LINE (`HOST:PORT` of the client), e.g. for the operator's log. */
  onRefused?: (client: string) => void;
}

export interface TcpListener {
  readonly address: { host: string; port: number };
  /** Stops listening, disconnects the attached client (detaching it) and resolves when closed. */
  close(): Promise<void>;
}

export const BUSY_LINE = 'modemlab: busy, another client is attached\r\n';

/**
 * Serves a module's UART on a TCP port. One client at a time: it becomes the UART until it
 * disconnects; a second simultaneous client gets BUSY_LINE and is disconnected.
 */
export function serveTcp(module: UartAttachable, opts: TcpOptions): Promise<TcpListener> {
  let current: net.Socket | undefined;
  const sockets = new Set<net.Socket>();

  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {
      // ECONNRESET, EPIPE...: 'close' follows and does the cleanup.
    });
    socket.once('close', () => sockets.delete(socket));

    if (current) {
      opts.onRefused?.(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.end(BUSY_LINE);
      // A client that never reads must not keep the refused socket open.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }

    current = socket;
    socket.setNoDelay(true);
    let detach: (() => void) | undefined;
    try {
      // The pipe's name says which client it is (a trace's port).
      detach = module.attach(socket, `tcp:${socket.remoteAddress}:${socket.remotePort}`);
    } catch (err) {
      current = undefined;
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    socket.once('close', () => {
      if (current === socket) current = undefined;
      try {
        detach?.();
      } catch {
        // A failing detach must not take the listener down.
      }
    });
  });

  server.on('error', () => {
    // Errors after listen (rare, e.g. EMFILE on accept) must not crash the process.
  });

  return new Promise<TcpListener>((resolve, reject) => {
    const onListenError = (err: Error): void => reject(err);
    server.once('error', onListenError);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', onListenError);
      const addr = server.address() as net.AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        address: { host: addr.address, port: addr.port },
        close(): Promise<void> {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          });
          return closing;
        },
      });
    });
  });
}
