import type { Socket } from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { Client, FTPError, type FTPContext, type FTPResponse } from 'basic-ftp';
import { downloadTo } from 'basic-ftp/dist/transfer.js';
import type { Clock } from '@modemlab/at';
import { ServiceError } from '../errors.js';
import { ActiveDataSocket, portCommand } from './active-data.js';
import type { Dialer, DialRequest, NetConnection } from '../net/dialer.js';
import { SocketError } from '../net/errors.js';
import { watchInactivity } from '../net/inactivity.js';
import type { TlsProblem } from '../tls/tls-problem.js';

/**
 * Why an FTP operation failed, for the dialects' error mapping:
 * - no-data-path       the module is not registered or has no active context
 * - dns                the server's name could not be resolved
 * - connect            the control (or data) TCP connection could not be made
 * - auth-tls-refused   FTPS: the server refused AUTH TLS
 * - tls                FTPS: a handshake failed or the server failed the profile's checks (see `tls`)
 * - login              the server refused USER/PASS
 * - not-connected      no FTP session is open
 * - already-connected  a session is open already
 * - busy               another operation of the session is running
 * - rejected           the server refused the command (a 4xx/5xx reply, see `replyCode`)
 * - timeout            the server was silent for the session's timeout (module clock)
 * - closed             the connection was lost
 */
export type FtpFailureReason =
  | 'no-data-path'
  | 'dns'
  | 'connect'
  | 'auth-tls-refused'
  | 'tls'
  | 'login'
  | 'not-connected'
  | 'already-connected'
  | 'busy'
  | 'rejected'
  | 'timeout'
  | 'closed';

export class FtpFailure extends Error {
  constructor(
    readonly reason: FtpFailureReason,
    message?: string,
    /** What went wrong in TLS, for reason 'tls'. */
    readonly tls?: TlsProblem,
    /** The server's reply code, where a reply caused the failure. */
    readonly replyCode?: number,
  ) {
    super(message ?? reason);
  }
}

export interface FtpOpenRequest {
  /** Server name or address as the application gave it (TLS host checks use it). */
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * Explicit FTPS (RFC 4217): AUTH TLS on the control connection, then PBSZ 0 / PROT P.
   * The control connection and every data connection are secured by the TLS service with
   * this security profile, the module always the TLS client. With `reuseSession` each data
   * connection resumes the control connection's TLS session (RFC 4217 §10.2, vsftpd's
   * require_ssl_reuse); without it each runs a full handshake (Telit's documented behaviour).
   */
  secure?: { profileId: number; reuseSession?: boolean };
  /**
   * Active mode (PORT): the server opens each data connection to a listener of the module.
   * With `secure` the module handshakes as the TLS client on the accepted connection (RFC 4217 §7).
   */
  active?: boolean;
  /** A PASV answer with a private address is replaced by the control connection's address. */
  ignorePrivateAddress?: boolean;
  /** The server may stay silent this long (module clock) while the module waits for it. */
  timeoutMs: number;
}

/** A transfer under way: the bytes, and its end as the server confirms it. */
export interface FtpTransfer<S> {
  stream: S;
  /** Resolves once the data connection finished and the server confirmed; rejects with an FtpFailure. */
  done: Promise<void>;
  /** Ends the transfer early: the data connection is closed. */
  abort(): void;
}

export interface FtpServiceDeps {
  /** The module's one way out: resolve, lab route, TCP, TLS by profile, PDP byte counters. */
  dialer: Dialer;
  clock: Clock;
}

/** How the next session opens, as the host configured it (RAM: lost at power-off). */
export interface FtpSettings {
  /** The server may stay silent this long while the module waits for it. */
  timeoutMs: number;
  /** Replace a private address in a PASV answer with the control connection's. */
  ignorePrivateAddress: boolean;
  /** Explicit FTPS with the dialect's security profile. */
  secure: boolean;
}

export const FTP_DEFAULT_SETTINGS: Readonly<FtpSettings> = { timeoutMs: 10_000, ignorePrivateAddress: false, secure: false };

/** basic-ftp's Client with a raw LIST: the listing's bytes as the server sends them. */
class ModuleFtpClient extends Client {
  async listTo(destination: Writable, path: string, verb: 'LIST' | 'NLST' = 'LIST'): Promise<FTPResponse> {
    try {
      await this.prepareTransfer(this.ftp);
      return await downloadTo(destination, {
        ftp: this.ftp,
        tracker: this._progressTracker,
        command: path ? `${verb} ${path}` : verb,
        remotePath: path,
        type: 'list',
      });
    } finally {
      destination.end();
    }
  }
}

interface Session {
  client: ModuleFtpClient;
  request: FtpOpenRequest;
  /** The control connection, once dialed. */
  control?: NetConnection;
  /** The data connection of the transfer under way. */
  data?: NetConnection;
  /** Bytes moved on earlier data connections, for the inactivity guard. */
  dataMoved: number;
  /** Set when a data connection's handshake or checks failed. */
  dataTlsFailure?: SocketError;
  /** The active-mode data connection of the transfer under way. */
  activeData?: ActiveDataSocket;
  /** FTPS: the latest TLS session (ticket) of the control or a data connection, for the next data connection to resume. */
  tlsSession?: Buffer;
  /** Set when the inactivity guard closed the session. */
  timedOut: boolean;
  /** Stops a dial under way when the guard gives up. */
  abort: AbortController;
}

/**
 * The module's FTP(S) client: one session at a time, on basic-ftp. Vendor-neutral: it never
 * formats AT text, and never builds TLS options (the TLS service secures its sockets). Data
 * connections are passive. Timeouts run on the module clock: basic-ftp's own are off.
 */
export class FtpService {
  private session?: Session;
  private opening = false;
  private busy = false;
  /** Counts power-offs: an open that started before one never becomes the session. */
  private epoch = 0;
  settings: FtpSettings = { ...FTP_DEFAULT_SETTINGS };

  constructor(private readonly deps: FtpServiceDeps) {}

  get connected(): boolean {
    return this.session !== undefined;
  }

  get secure(): boolean {
    return this.session?.request.secure !== undefined;
  }

  /** Opens the control connection, secures it (FTPS), logs in and sets binary mode. */
  async open(req: FtpOpenRequest): Promise<void> {
    if (this.session) throw new FtpFailure('already-connected');
    if (this.opening) throw new FtpFailure('busy');
    this.opening = true;
    const epoch = this.epoch;
    try {
      const client = new ModuleFtpClient(0);
      const session: Session = { client, request: req, dataMoved: 0, timedOut: false, abort: new AbortController() };
      client.prepareTransfer = async (ftp) => {
        this.endData(session);
        return req.active ? this.activeMode(session, ftp) : this.passive(session, ftp);
      };
      try {
        await this.guarded(session, async () => {
          session.control = await this.dial(session, { host: req.host, port: req.port }, 'control');
          // basic-ftp takes a connected socket as a new control connection (its documented
          // reset); the server's greeting is then the first reply.
          client.ftp.socket = session.control.stream;
          try {
            await greeting(client);
          } catch (err) {
            if (err instanceof FTPError) throw new FtpFailure('rejected', err.message, undefined, err.code);
            throw new FtpFailure('connect', String(err));
          }
          if (req.secure) await this.startTls(session, req.secure.profileId);
          try {
            await client.login(req.user, req.password);
          } catch (err) {
            if (err instanceof FTPError) throw new FtpFailure('login', err.message, undefined, err.code);
            throw err;
          }
          await client.useDefaultSettings();
        });
      } catch (err) {
        this.shutSession(session);
        throw err;
      }
      if (epoch !== this.epoch) {
        this.shutSession(session);
        throw new FtpFailure('closed', 'the module powered off');
      }
      this.session = session;
      client.ftp.socket.once('close', () => {
        if (this.session === session && !this.busy) this.session = undefined;
      });
    } finally {
      this.opening = false;
    }
  }

  /** Downloads a file (from `startAt`, by REST): resolves once the server started sending (its 150 and a data connection). */
  download(path: string, opts: { startAt?: number } = {}): Promise<FtpTransfer<Readable>> {
    const stream = new PassThrough();
    // startAt: REST first, the server sends from that offset on.
    return this.transfer(stream, (client) => client.downloadTo(stream, path, opts.startAt ?? 0));
  }

  /** Uploads a file (STOR, or APPE with `append`): write its bytes to the stream, then end it. */
  upload(path: string, opts: { append?: boolean } = {}): Promise<FtpTransfer<Writable>> {
    const stream = new PassThrough();
    // Until the stream ends the module waits for the host, not the server: no timeout.
    let hostDone = false;
    stream.once('finish', () => (hostDone = true));
    return this.transfer(stream, (client) => (opts.append ? client.appendFrom(stream, path) : client.uploadFrom(stream, path)), (started) => started && !hostDone);
  }

  /** The server's LIST output for `path` (the working directory when empty), as it sends it. */
  list(path = ''): Promise<FtpTransfer<Readable>> {
    const stream = new PassThrough();
    return this.transfer(stream, (client) => client.listTo(stream, path));
  }

  /** The server's NLST output for `path` (names only, one a line), as it sends it. */
  names(path = ''): Promise<FtpTransfer<Readable>> {
    const stream = new PassThrough();
    return this.transfer(stream, (client) => client.listTo(stream, path, 'NLST'));
  }

  /** CWD: the working directory of the session. */
  async cd(path: string): Promise<void> {
    await this.command((client) => client.send(`CWD ${path}`));
  }

  /** MKD. */
  async mkdir(path: string): Promise<void> {
    await this.command((client) => client.send(`MKD ${path}`));
  }

  /** RMD: the directory must be empty (the server decides). */
  async rmdir(path: string): Promise<void> {
    await this.command((client) => client.send(`RMD ${path}`));
  }

  /** DELE. */
  async remove(path: string): Promise<void> {
    await this.command((client) => client.send(`DELE ${path}`));
  }

  /** RNFR then RNTO. */
  async rename(from: string, to: string): Promise<void> {
    await this.command(async (client) => {
      await client.send(`RNFR ${from}`);
      await client.send(`RNTO ${to}`);
    });
  }

  /** PWD: the working directory as the server names it. */
  pwd(): Promise<string> {
    return this.command((client) => client.pwd());
  }

  /** QUIT and close. */
  async close(): Promise<void> {
    const session = this.session;
    if (!session) throw new FtpFailure('not-connected');
    if (this.busy) throw new FtpFailure('busy');
    this.busy = true;
    try {
      await this.guarded(session, () => session.client.send('QUIT')).catch(() => undefined);
    } finally {
      this.busy = false;
      this.drop(session);
    }
  }

  /** The session is gone, silently. */
  closeAll(): void {
    if (this.session) this.drop(this.session);
  }

  /** Power-off: no session, and the settings are back to their defaults. */
  powerOff(): void {
    this.epoch++;
    this.closeAll();
    this.settings = { ...FTP_DEFAULT_SETTINGS };
  }

  // ---- internals ---------------------------------------------------------------------

  /** Dials through the module's dialer; its failures as the FTP reasons. */
  private async dial(session: Session, req: DialRequest, what: 'control' | 'data'): Promise<NetConnection> {
    try {
      return await this.deps.dialer.connect({ ...req, signal: session.abort.signal });
    } catch (err) {
      throw dialFailure(err, what);
    }
  }

  /** AUTH TLS, then the TLS service secures the control connection. */
  private async startTls(session: Session, profileId: number): Promise<void> {
    const { client, request } = session;
    const reply = await client.sendIgnoringError('AUTH TLS');
    if (reply.code !== 234) throw new FtpFailure('auth-tls-refused', reply.message, undefined, reply.code);
    const control = session.control!;
    try {
      await this.deps.dialer.secure(control, request.host, { profileId });
    } catch (err) {
      throw dialFailure(err, 'control');
    }
    this.followTlsSession(session, control.stream);
    client.ftp.socket = control.stream;
  }

  /** Keeps the newest session a connection offers (TLS 1.3 tickets come after the handshake). */
  private followTlsSession(session: Session, stream: Socket | TLSSocket): void {
    if (stream instanceof TLSSocket) stream.on('session', (der: Buffer) => (session.tlsSession = der));
  }

  /** The session a data connection resumes: the newest ticket, else the control connection's. */
  private resumable(session: Session): Buffer | undefined {
    if (!session.request.secure?.reuseSession) return undefined;
    const control = session.control?.stream;
    return session.tlsSession ?? (control instanceof TLSSocket ? control.getSession() : undefined);
  }

  /**
   * Active mode: the server connected to the module's listener. The connection counts into the
   * control connection's PDP context like a dialed one; with FTPS the module is the TLS client
   * on it (RFC 4217 §7), resuming the control connection's session.
   */
  private async acceptedData(session: Session, raw: Socket, profileId: number | undefined): Promise<Socket> {
    const cid = session.control!.cid;
    const meter = this.deps.dialer.meter(cid);
    meter.follow(raw);
    const conn: NetConnection = {
      cid,
      address: raw.remoteAddress?.replace(/^::ffff:/i, '') ?? '',
      port: raw.remotePort ?? 0,
      raw,
      stream: raw,
      secured: Promise.resolve(),
      meter,
      activity: () => meter.sync(),
    };
    session.data = conn;
    if (profileId === undefined) return raw;
    const resume = this.resumable(session);
    try {
      await this.deps.dialer.secure(conn, session.request.host, { profileId, companion: true, handOver: true, ...(resume ? { session: resume } : {}) });
    } catch (err) {
      if (err instanceof SocketError) session.dataTlsFailure = err;
      throw err;
    }
    conn.secured.catch((err: unknown) => {
      if (err instanceof SocketError) session.dataTlsFailure = err;
    });
    this.followTlsSession(session, conn.stream);
    return conn.stream;
  }

  /** PORT: a listener on the module's address of the control connection, which the server connects to. */
  private async activeMode(session: Session, ftp: FTPContext): Promise<FTPResponse> {
    const local = ftp.socket.localAddress?.replace(/^::ffff:/i, '') ?? '127.0.0.1';
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(local)) throw new FtpFailure('connect', `active mode needs IPv4, the control connection is on ${local}`);
    const secure = session.request.secure;
    const { socket, port } = await ActiveDataSocket.listen(local, (raw) => this.acceptedData(session, raw, secure?.profileId));
    try {
      const res = await ftp.request(portCommand(local, port));
      ftp.dataSocket = socket as unknown as FTPContext['dataSocket'];
      session.activeData = socket;
      return res;
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  /** PASV, a real TCP connection to the port it gives, secured by the TLS service for FTPS. */
  private async passive(session: Session, ftp: FTPContext): Promise<FTPResponse> {
    const res = await ftp.request('PASV');
    const target = parsePasv(res.message);
    if (!target) throw new FtpFailure('rejected', `cannot parse the PASV answer: ${res.message}`, undefined, res.code);
    const control = ftp.socket.remoteAddress?.replace(/^::ffff:/i, '');
    let host = target.host;
    if (control && (host === '0.0.0.0' || (session.request.ignorePrivateAddress && isPrivateIpv4(host)))) host = control;
    const secure = session.request.secure;
    const tlsHost = session.request.host;
    // FTPS: resumes the control connection's session, handed over while it runs: the server
    // may start it only after RETR/STOR. The TLS host check uses the name the host gave.
    const resume = secure ? this.resumable(session) : undefined;
    const data = await this.dial(
      session,
      { host, port: target.port, cid: session.control!.cid, ...(secure ? { tlsHost, secure: { profileId: secure.profileId, companion: true, handOver: true, ...(resume ? { session: resume } : {}) } } : {}) },
      'data',
    );
    if (secure) this.followTlsSession(session, data.stream);
    session.data = data;
    data.secured.catch((err: unknown) => {
      if (err instanceof SocketError) session.dataTlsFailure = err;
    });
    ftp.dataSocket = data.stream;
    return res;
  }

  /**
   * A command on the control connection alone. A refusal (4xx/5xx) keeps the session; a
   * broken connection or a timeout ends it.
   */
  private async command<T>(run: (client: ModuleFtpClient) => Promise<T>): Promise<T> {
    const session = this.session;
    if (!session) throw new FtpFailure('not-connected');
    if (this.busy) throw new FtpFailure('busy');
    this.busy = true;
    try {
      return await this.guarded(session, () => run(session.client));
    } catch (err) {
      const failure = this.failureOf(session, err);
      if (failure.reason !== 'rejected') this.drop(session);
      throw failure;
    } finally {
      this.busy = false;
      if (session.client.closed && this.session === session) this.drop(session);
    }
  }

  private async transfer<S extends Readable | Writable>(
    stream: S,
    run: (client: ModuleFtpClient) => Promise<FTPResponse>,
    waitingOnHost: (started: boolean) => boolean = () => false,
  ): Promise<FtpTransfer<S>> {
    const session = this.session;
    if (!session) throw new FtpFailure('not-connected');
    if (this.busy) throw new FtpFailure('busy');
    this.busy = true;
    session.dataTlsFailure = undefined;
    const { client } = session;
    let started!: () => void;
    let isStarted = false;
    const begun = new Promise<void>((resolve) => (started = resolve));
    // basic-ftp starts its progress tracker when the server's 150 arrived and the data
    // connection is ready (secured, for an upload): that is when the transfer starts.
    client.trackProgress(() => {
      isStarted = true;
      started();
    });
    const done = this.guarded(session, () => run(client), () => waitingOnHost(isStarted))
      .then(
        () => undefined,
        (err: unknown) => {
          const failure = this.failureOf(session, err);
          // A broken data connection leaves the control connection out of step: close it.
          if (failure.reason !== 'rejected') this.drop(session);
          throw failure;
        },
      )
      .finally(() => {
        client.trackProgress();
        this.busy = false;
        if (client.closed && this.session === session) this.drop(session);
      });
    done.catch(() => undefined);
    await Promise.race([begun, done]);
    return {
      stream,
      done,
      abort: () => {
        session.data?.raw.destroy();
        session.activeData?.destroy();
        client.ftp.dataSocket?.destroy();
      },
    };
  }

  /**
   * Runs an operation with the inactivity guard: while it runs, the server must move a byte
   * on the control or a data connection within the session's timeout, or the session closes.
   * Time spent waiting for the host (an upload's bytes) does not count.
   */
  private async guarded<T>(session: Session, op: () => Promise<T>, waitingOnHost: () => boolean = () => false): Promise<T> {
    const watchdog = watchInactivity({
      clock: this.deps.clock,
      // Each look also moves the session's bytes into the PDP counters.
      activity: () =>
        (session.control?.activity() ?? 0) + session.dataMoved + (session.data?.activity() ?? 0),
      limitMs: session.request.timeoutMs,
      waitingOnHost,
      expire: () => {
        session.timedOut = true;
        session.abort.abort();
        session.client.close();
      },
    });
    try {
      return await op();
    } catch (err) {
      throw this.failureOf(session, err);
    } finally {
      watchdog.cancel();
      // Each operation's bytes are in the PDP counters when it ends.
      session.control?.activity();
      session.data?.activity();
    }
  }

  private failureOf(session: Session, err: unknown): FtpFailure {
    if (session.timedOut) return new FtpFailure('timeout', 'the server was silent too long');
    if (err instanceof FtpFailure) return err;
    if (session.dataTlsFailure) return new FtpFailure('tls', session.dataTlsFailure.message, session.dataTlsFailure.tls);
    if (err instanceof FTPError) return new FtpFailure('rejected', err.message, undefined, err.code);
    return new FtpFailure('closed', err instanceof Error ? err.message : String(err));
  }

  private drop(session: Session): void {
    if (this.session === session) this.session = undefined;
    this.shutSession(session);
  }

  /** The data connection of the last transfer is over: its bytes are counted and it goes. */
  private endData(session: Session): void {
    if (session.activeData) {
      session.activeData.destroy();
      session.activeData = undefined;
    }
    const data = session.data;
    if (!data) return;
    session.data = undefined;
    data.raw.destroy();
    session.dataMoved += data.activity();
  }

  /** basic-ftp only half-closes (and waits for the server): the module lets go at once. */
  private shutSession(session: Session): void {
    session.abort.abort();
    this.endData(session);
    const { client } = session;
    const control = client.ftp.socket;
    const data = client.ftp.dataSocket;
    client.close();
    control.destroy();
    data?.destroy();
    session.control?.raw.destroy();
    session.control?.activity();
  }
}

/** The server's greeting on a control connection handed to basic-ftp: a 2xx, or an FTPError. */
function greeting(client: Client): Promise<FTPResponse> {
  return client.ftp.handle(undefined, (res, task) => {
    if (res instanceof Error) task.reject(res);
    else if (res.code >= 200 && res.code < 300) task.resolve(res);
    else task.reject(new FTPError(res));
  }) as Promise<FTPResponse>;
}

/** A dial's failure as the FTP reason: no data path, the name, TLS, or the TCP connection. */
function dialFailure(err: unknown, what: 'control' | 'data'): unknown {
  if (err instanceof ServiceError) return new FtpFailure('no-data-path', err.message);
  if (!(err instanceof SocketError)) return err;
  if (err.tls) return new FtpFailure('tls', err.message, err.tls);
  if (err.errno === 'DNS_NOT_FOUND' || err.errno === 'DNS_FAILURE') return new FtpFailure('dns', err.message);
  return new FtpFailure('connect', what === 'data' ? `data connection: ${err.message}` : err.message);
}

/** "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)". */
export function parsePasv(message: string): { host: string; port: number } | undefined {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(message);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

/** RFC 1918 ranges. */
export function isPrivateIpv4(address: string): boolean {
  const n = address.split('.').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isInteger(x))) return false;
  return n[0] === 10 || (n[0] === 172 && n[1]! >= 16 && n[1]! <= 31) || (n[0] === 192 && n[1] === 168);
}
