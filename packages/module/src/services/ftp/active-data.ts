import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/**
 * The data connection of an active-mode transfer (PORT): the module listens, the server
 * connects. basic-ftp wants its data socket before it sends RETR/STOR, and a server may
 * connect only after that (vsftpd connects, then answers 150), so the transfer talks to
 * this stand-in, which is joined to the server's connection once it arrives.
 */
export class ActiveDataSocket extends Duplex {
  bytesRead = 0;
  bytesWritten = 0;
  private socket?: Socket;
  private readonly queued: Array<{ chunk: Buffer; done: (err?: Error | null) => void }> = [];
  private ending?: () => void;

  /**
   * `secureWith` turns the server's connection into the stream the transfer uses (counted;
   * FTPS: a TLS socket over it, the module the TLS client); it may fail, which fails the transfer.
   */
  constructor(
    private readonly server: Server,
    private readonly secureWith?: (socket: Socket) => Promise<Socket>,
  ) {
    super();
    server.once('connection', (socket) => {
      this.server.close();
      if (!this.secureWith) return this.join(socket);
      socket.on('error', () => {});
      this.secureWith(socket).then(
        (stream) => (this.destroyed ? stream.destroy() : this.join(stream)),
        (err: unknown) => {
          socket.destroy();
          this.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Listens on `host` (the module's address on the control connection), port chosen by the system. */
  static async listen(host: string, wrap?: (socket: Socket) => Promise<Socket>): Promise<{ socket: ActiveDataSocket; port: number }> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no listening port');
    return { socket: new ActiveDataSocket(server, wrap), port: address.port };
  }

  /** What basic-ftp calls on a data socket. */
  setTimeout(): this {
    return this;
  }

  private join(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      if (!this.push(chunk)) socket.pause();
    });
    socket.once('end', () => this.push(null));
    socket.once('error', (err) => this.destroy(err));
    socket.once('close', () => {
      if (!this.readableEnded) this.push(null);
    });
    for (const { chunk, done } of this.queued.splice(0)) this.send(chunk, done);
    this.ending?.();
  }

  override _read(): void {
    this.socket?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket) this.send(chunk, done);
    else this.queued.push({ chunk, done });
  }

  override _final(done: (err?: Error | null) => void): void {
    const end = () => this.socket!.end(() => done());
    if (this.socket && this.queued.length === 0) end();
    else this.ending = end;
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.server.close();
    this.socket?.destroy();
    done(err);
  }

  private send(chunk: Buffer, done: (err?: Error | null) => void): void {
    this.bytesWritten += chunk.length;
    this.socket!.write(chunk, done);
  }
}

/** "PORT h1,h2,h3,h4,p1,p2" for an IPv4 address. */
export function portCommand(host: string, port: number): string {
  return `PORT ${host.replace(/\./g, ',')},${port >> 8},${port & 255}`;
}
