import { Readable } from 'node:stream';
import type { AtClient } from '../../at-client.js';
import { UrcError } from '../../errors.js';
import type { OnlineLink } from '../../online-link.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';

/** The FTP server and how to reach it (+UFTP). */
export interface FtpConnectOptions {
  /** Server name or IPv4 address. */
  host: string;
  /** Default 21. */
  port?: number;
  user?: string;
  password?: string;
  account?: string;
  /** Passive data connections (default true; false asks for active mode). */
  passive?: boolean;
  /** Explicit FTPS (AUTH TLS) with this security profile (+USECPRF). */
  secure?: { profile: number };
  /** Server silence the module accepts, seconds (0 = none); the module's default is 30. */
  inactivityTimeoutS?: number;
  /** How long to wait for each result URC; default 60 s. */
  timeoutMs?: number;
}

/** An FTP command the module reported as failed (+UUFTPCR result 0), with its +UFTPER pair. */
export class FtpCommandError extends UrcError {
  override name = 'FtpCommandError';

  constructor(
    command: string,
    line: string,
    /** 0: `errorCode` is the server's reply code (e.g. 550); otherwise the module's own class. */
    readonly errorClass: number,
    readonly errorCode: number,
  ) {
    super(command, line, errorCode);
    this.message = `${command}: ${line} (+UFTPER ${errorClass},${errorCode})`;
  }
}

const Op = { logout: 0, login: 1, delete: 2, rename: 3, retrieve: 4, store: 5, retrieveDirect: 6, storeDirect: 7, cd: 8, mkdir: 10, rmdir: 11, info: 13, list: 14 } as const;
const DEFAULT_TIMEOUT_MS = 60_000;
const TRANSFER_TIMEOUT_MS = 600_000;

/**
 * The module's FTP(S) client (+UFTP, +UFTPC, +UUFTPCR, +UUFTPCD, +UFTPER): directory
 * operations, files to and from the module file system, and files streamed through direct
 * link. One command at a time, as the module runs them.
 */
export class UbloxFtp {
  private timeoutMs = DEFAULT_TIMEOUT_MS;

  constructor(private readonly client: AtClient) {}

  /** Sets the profile (every field, so nothing of an earlier one is left) and logs in. */
  async connect(opts: FtpConnectOptions): Promise<void> {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(opts.host);
    const c = this.client;
    await c.send(`AT+UFTP=${isIp ? 0 : 1},${quote(opts.host)}`);
    await c.send(`AT+UFTP=7,${opts.port ?? 21}`);
    await c.send(`AT+UFTP=2,${quote(opts.user ?? 'anonymous')}`);
    await c.send(`AT+UFTP=3,${quote(opts.password ?? '')}`);
    await c.send(`AT+UFTP=4,${quote(opts.account ?? '')}`);
    await c.send(`AT+UFTP=6,${opts.passive === false ? 0 : 1}`);
    await c.send(opts.secure ? `AT+UFTP=8,1,${opts.secure.profile}` : 'AT+UFTP=8,0');
    if (opts.inactivityTimeoutS !== undefined) await c.send(`AT+UFTP=5,${opts.inactivityTimeoutS}`);
    await this.run(Op.login, '');
  }

  /** Logout (QUIT). */
  async end(): Promise<void> {
    await this.run(Op.logout, '');
  }

  /** File names in `path` (the working directory when absent), as the server lists them (NLST). */
  async list(path?: string): Promise<string[]> {
    const data = await this.withData(Op.list, path === undefined ? '' : `,${quote(path)}`);
    return data.split(/\r?\n/).filter((name) => name !== '');
  }

  /** The server's LIST line(s) for a file or directory. */
  async info(path: string): Promise<string> {
    return (await this.withData(Op.info, `,${quote(path)}`)).replace(/\r?\n$/, '');
  }

  cd(path: string): Promise<void> {
    return this.run(Op.cd, `,${quote(path)}`);
  }

  mkdir(path: string): Promise<void> {
    return this.run(Op.mkdir, `,${quote(path)}`);
  }

  rmdir(path: string): Promise<void> {
    return this.run(Op.rmdir, `,${quote(path)}`);
  }

  rename(from: string, to: string): Promise<void> {
    return this.run(Op.rename, `,${quote(from)},${quote(to)}`);
  }

  delete(path: string): Promise<void> {
    return this.run(Op.delete, `,${quote(path)}`);
  }

  /** Retrieves `remote` into the module file system as `localFile`. */
  getToFile(remote: string, localFile: string): Promise<void> {
    return this.run(Op.retrieve, `,${quote(remote)},${quote(localFile)}`, TRANSFER_TIMEOUT_MS);
  }

  /** Stores the module file `localFile` on the server as `remote`. */
  putFromFile(localFile: string, remote: string): Promise<void> {
    return this.run(Op.store, `,${quote(localFile)},${quote(remote)}`, TRANSFER_TIMEOUT_MS);
  }

  /**
   * Retrieves `remote` through direct link: the stream carries the file's bytes and ends
   * once the module confirmed the transfer (an error if it reported a failure).
   */
  async get(remote: string): Promise<Readable> {
    const command = `AT+UFTPC=${Op.retrieveDirect},${quote(remote)}`;
    const result = this.result(Op.retrieveDirect, command, TRANSFER_TIMEOUT_MS);
    let link: OnlineLink;
    try {
      link = await this.client.dial(command);
    } catch (err) {
      result.cancel();
      throw err;
    }
    const stream = new Readable({ read: () => this.client.stream.resume() });
    link.on('data', (data) => {
      if (!stream.push(data)) this.client.stream.pause();
    });
    link.on('end', () => {
      result.done.then(
        () => stream.push(null),
        (err: unknown) => stream.destroy(err as Error),
      );
    });
    return stream;
  }

  /**
   * Stores `data` as `remote` through direct link, then escapes with +++ (the module's
   * guard time before and after), which completes the file.
   */
  async put(remote: string, data: Buffer | Readable): Promise<void> {
    const command = `AT+UFTPC=${Op.storeDirect},${quote(remote)}`;
    // Asked before going online: commands wait while the link is up.
    const guardMs = await this.guardMs();
    const result = this.result(Op.storeDirect, command, TRANSFER_TIMEOUT_MS);
    let link: OnlineLink;
    try {
      link = await this.client.dial(command);
    } catch (err) {
      result.cancel();
      throw err;
    }
    if (Buffer.isBuffer(data)) await link.write(data);
    else for await (const chunk of data) await link.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    if (!link.ended) await link.escape(guardMs, TRANSFER_TIMEOUT_MS);
    await result.done;
  }

  // ---- internals ---------------------------------------------------------------------

  /** The escape guard time: S12 is in fiftieths of a second. */
  private async guardMs(): Promise<number> {
    const r = await this.client.send('ATS12?', { expectPrefix: null });
    return Number(r.lines.find((l) => /^\d+$/.test(l)) ?? 50) * 20;
  }

  /** Sends +UFTPC and waits for its +UUFTPCR. */
  private async run(op: number, args: string, timeoutMs = this.timeoutMs): Promise<void> {
    const command = `AT+UFTPC=${op}${args}`;
    const result = this.result(op, command, timeoutMs);
    try {
      await this.client.send(command);
    } catch (err) {
      result.cancel();
      throw err;
    }
    await result.done;
  }

  /**
   * Runs a command whose data comes in +UUFTPCD before its result. The URC's data may hold
   * line breaks, which the AT client splits into lines: the pieces are joined again.
   */
  private async withData(op: number, args: string): Promise<string> {
    const header = new RegExp(`^\\+UUFTPCD: ?${op},(\\d+),"(.*)$`, 's');
    let collecting: { length: number; parts: string[] } | undefined;
    let data: string | undefined;
    const finish = (): void => {
      const text = collecting!.parts.join('\r\n');
      data = text.endsWith('"') ? text.slice(0, -1) : text;
      collecting = undefined;
      offLine();
    };
    const onPiece = (line: string): void => {
      if (!collecting) return;
      collecting.parts.push(line);
      if (line.endsWith('"')) finish();
    };
    const offLine = this.client.onUnhandledLine(onPiece);
    const offUrc = this.client.onUrc('+UUFTPCD', (line) => {
      const m = header.exec(line);
      if (!m) return;
      collecting = { length: Number(m[1]), parts: [m[2]!] };
      if (Number(m[1]) === 0 || (m[2]!.endsWith('"') && m[2]!.length - 1 >= Number(m[1]))) finish();
    });
    try {
      await this.run(op, args);
    } finally {
      offUrc();
      offLine();
    }
    return data ?? '';
  }

  /** Watches for the result of `op`; a failure carries the +UFTPER pair. */
  private result(op: number, command: string, timeoutMs: number): { done: Promise<void>; cancel: () => void } {
    const stop = new AbortController();
    const outcome = this.client.watchUrcs(['+UUFTPCR'], { timeoutMs, signal: stop.signal, description: `${command} result` }, (line) => {
      const [o, ok] = parseInfoLine(line).params.map(Number);
      return o === op ? { line, ok: ok === 1 } : undefined;
    });
    outcome.catch(() => {});
    const done = outcome.then(async ({ line, ok }) => {
      if (ok) return;
      const er = await this.client.send('AT+UFTPER');
      const [cls, code] = (paramsOf(er.lines, '+UFTPER') ?? []).map(Number);
      throw new FtpCommandError(command, line, cls ?? -1, code ?? -1);
    });
    done.catch(() => {});
    return { done, cancel: () => stop.abort() };
  }
}
