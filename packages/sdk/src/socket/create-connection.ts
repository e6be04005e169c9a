/**
 * The synchronous, net.createConnection-shaped ways to get a ModemSocket, for libraries that
 * call a factory again on every (re)connect: mqtt.js's stream builder, undici's `connect`,
 * http(s).Agent's `createConnection`. Each returns a pending socket at once; the driver's
 * opener connects it (or fails it) in the background.
 */
import { ModemSocket } from './modem-socket.js';

/** A driver's connect procedure, filling the given pending socket. Leaves it detached on failure. */
export type SocketOpener<O> = (opts: O, socket: ModemSocket) => Promise<void>;

/** The promise form: resolves with the connected socket, rejects with the driver's error. */
export async function openSocket<O>(open: SocketOpener<O>, opts: O): Promise<ModemSocket> {
  const socket = new ModemSocket();
  try {
    await open(opts, socket);
    return socket;
  } catch (error) {
    // Nobody holds the socket yet: end it silently, the rejection carries the error.
    socket.destroy();
    throw error;
  }
}

/**
 * The synchronous form: the socket at once, 'connect' when the module connected, 'error'
 * (then 'close') with the driver's typed error when it could not. `onConnect` is a
 * 'connect' listener, as for net.createConnection.
 */
export function createConnection<O>(open: SocketOpener<O>, opts: O, onConnect?: () => void): ModemSocket {
  const socket = new ModemSocket();
  if (onConnect) socket.once('connect', onConnect);
  open(opts, socket).catch((error: unknown) => socket.destroy(error instanceof Error ? error : new Error(String(error))));
  return socket;
}

/** What undici and http.Agent pass a connector: host or hostname, port, protocol, servername. */
export interface ConnectorOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  protocol?: string | null;
  servername?: string | null;
  /** As net.createConnection: the idle timeout (`setTimeout`). http.request passes its `timeout` this way. */
  timeout?: number;
}

/** Called once: with the connected socket, or with the error (and the socket, already ended). */
export type ConnectorCallback = (error: Error | null, socket: ModemSocket) => void;

/**
 * One function that is both an http(s).Agent `createConnection` (returns the socket; the
 * agent listens for its errors) and an undici `connect` (calls back once connected or
 * failed). `toOpts` turns the library's target into the driver's connect options.
 */
export function connector<O>(open: SocketOpener<O>, toOpts: (target: { host: string; port: number; servername?: string }) => O) {
  return (options: ConnectorOptions, callback?: ConnectorCallback): ModemSocket => {
    const host = options.hostname || options.host || 'localhost';
    const secure = options.protocol === 'https:' || options.protocol === 'wss:';
    const port = Number(options.port) || (secure ? 443 : 80);
    const target = { host: host.replace(/^\[(.*)\]$/, '$1'), port, ...(options.servername ? { servername: options.servername } : {}) };
    const socket = new ModemSocket();
    if (options.timeout !== undefined && options.timeout > 0) socket.setTimeout(options.timeout);
    open(toOpts(target), socket).then(
      () => callback?.(null, socket),
      (error: unknown) => {
        const e = error instanceof Error ? error : new Error(String(error));
        callback?.(e, socket);
        // Destroy with the error only for a holder that listens (an http agent), never as an uncaught 'error'.
        socket.destroy(socket.listenerCount('error') > 0 ? e : undefined);
      },
    );
    return socket;
  };
}
