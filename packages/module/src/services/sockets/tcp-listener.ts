import { createServer, type Server, type Socket } from 'node:net';

/**
 * The listening side of a TCP socket: a real server on the module's port. Connections
 * are handed to the socket service, which gives each a socket id (or resets it when none
 * is free, as a full stack does).
 */
export class TcpListener {
  private readonly server: Server = createServer();

  constructor(
    onConnection: (sock: Socket) => void,
    /** Errors once listening (before, listen() rejects with them). */
    private readonly onError: (err: Error) => void,
  ) {
    this.server.on('connection', onConnection);
  }

  /** Listens on `port` (exclusively); rejects with node's error (EADDRINUSE...). */
  listen(port: number, host: string | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host: host ?? '0.0.0.0', exclusive: true }, () => {
        this.server.off('error', reject);
        this.server.on('error', this.onError);
        resolve();
      });
    });
  }

  close(): void {
    this.server.close();
  }
}
