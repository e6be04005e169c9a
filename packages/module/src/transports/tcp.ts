import net from 'node:net';
import type { UartAttachable } from './types.js';

export interface TcpOptions {
  /** Interface to bind, e.g. '127.0.0.1' or '0.0.0.0'. */
  host: string;
  /** 0 picks a free port; the bound port is returned in `address`. */
  port: number;
  /**
   * How long a client that arrives while another is attached waits for that one to end
   * before it is refused as busy (default HANDOVER_GRACE_MS). A client that reconnects
   * right after closing may be accepted before its old connection's end is read.
   */
  handoverGraceMs?: number;
}

export interface TcpListener {
  readonly address: { host: string; port: number };
  /** Stops listening, disconnects the attached client (detaching it) and resolves when closed. */
  close(): Promise<void>;
}

export const BUSY_LINE = 'modemlab: busy, another client is attached\r\n';

/** Default of TcpOptions.handoverGraceMs. */
export const HANDOVER_GRACE_MS = 500;

/**
 * Serves a module's UART on a TCP port. One client at a time: it becomes the UART until it
 * ends its side (FIN or reset), not until the socket's later 'close'. A client that
 * arrives meanwhile waits, paused, until the attached one ends (then it takes the port) or
 * the handover grace runs out (then it gets BUSY_LINE and is disconnected).
 */
export function serveTcp(module: UartAttachable, opts: TcpOptions): Promise<TcpListener> {
  const graceMs = opts.handoverGraceMs ?? HANDOVER_GRACE_MS;
  let current: net.Socket | undefined;
  /** Clients waiting for the port, first come first served. */
  const waiting: Array<{ socket: net.Socket; timer: NodeJS.Timeout }> = [];
  const sockets = new Set<net.Socket>();
  let closed = false;

  const refuse = (socket: net.Socket): void => {
    socket.resume();
    socket.end(BUSY_LINE);
    // A client that never reads must not keep the refused socket open.
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  /** The attached client ended: the port is free for the first waiting client. */
  const release = (socket: net.Socket): void => {
    if (current !== socket) return;
    current = undefined;
    while (!current && !closed && waiting.length > 0) {
      const next = waiting.shift()!;
      clearTimeout(next.timer);
      if (!next.socket.destroyed && next.socket.readable) take(next.socket);
    }
  };

  const take = (socket: net.Socket): void => {
    current = socket;
    socket.setNoDelay(true);
    let detach: (() => void) | undefined;
    try {
      // The pipe's name says which client it is (a trace's port).
      detach = module.attach(socket, `tcp:${socket.remoteAddress}:${socket.remotePort}`);
    } catch (err) {
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
      release(socket);
      return;
    }
    let ended = false;
    const onEnded = (): void => {
      if (ended) return;
      ended = true;
      try {
        detach?.();
      } catch {
        // A failing detach must not take the listener down.
      }
      release(socket);
    };
    // 'end' (the client's FIN) comes before 'close', which also waits for our side's
    // shutdown: a client reconnecting at once must not find the port still taken.
    socket.once('end', onEnded);
    socket.once('close', onEnded);
    socket.once('error', onEnded);
    socket.resume();
  };

  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {
      // ECONNRESET, EPIPE...: 'close' follows and does the cleanup.
    });
    socket.once('close', () => {
      sockets.delete(socket);
      const i = waiting.findIndex((w) => w.socket === socket);
      if (i >= 0) clearTimeout(waiting.splice(i, 1)[0]!.timer);
    });
    if (!current) {
      take(socket);
      return;
    }
    const entry = {
      socket,
      timer: setTimeout(() => {
        const i = waiting.indexOf(entry);
        if (i < 0) return;
        waiting.splice(i, 1);
        refuse(socket);
      }, graceMs),
    };
    entry.timer.unref();
    waiting.push(entry);
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
            closed = true;
            for (const w of waiting.splice(0)) clearTimeout(w.timer);
            server.close(() => done());
            for (const s of sockets) s.destroy();
          });
          return closing;
        },
      });
    });
  });
}
