import { Readable } from 'node:stream';
import type { AtClient } from '../../at-client.js';
import { AtError, ConnectionFailedError, ConnectTimeoutError, DnsError, TlsHandshakeError, UrcError, type ModemNetworkError, type NetworkFailure } from '../../errors.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';
import type { UbloxFiles } from './files.js';

export type HttpMethod = 'HEAD' | 'GET' | 'DELETE' | 'PUT' | 'POST';

/** An HTTP profile (+UHTTP): the server and how to reach it. */
export interface HttpProfileOptions {
  /** Server name or IPv4 address. */
  host: string;
  /** Port; default 80, or 443 when secure. */
  port?: number;
  /** HTTPS with this security profile (+USECPRF). */
  secure?: { profile: number };
  /** Basic authentication. */
  username?: string;
  password?: string;
  /** Inactivity timeout of the module's requests, seconds (30-180). */
  timeoutS?: number;
}

export interface HttpRequestOptions {
  method: HttpMethod;
  path: string;
  /** Extra request headers (at most 5, +UHTTP op 9); Content-Type sets the body's type. */
  headers?: Record<string, string>;
  /** PUT / POST body. */
  body?: Buffer | string;
  /** HTTP profile, default 0; configure it first with `configure()`. */
  profile?: number;
  /** Module file the response goes to; default `sdk_http_<profile>`. */
  resultFile?: string;
  /** How long to wait for +UUHTTPCR; default 200 s (the module gives up after 180 s of silence). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body, read from the module's result file with +URDBLOCK as it is consumed. */
  body: Readable;
}

/** A request the module reported as failed (+UUHTTPCR result 0), with its +UHTTPER class and code. */
export class HttpRequestError extends UrcError {
  override name = 'HttpRequestError';

  constructor(
    command: string,
    line: string,
    readonly errorClass: number,
    readonly errorCode: number,
  ) {
    super(command, line, errorCode);
    this.message = `${command}: ${line} (+UHTTPER class ${errorClass}, code ${errorCode})`;
  }
}

/**
 * +UHTTPER codes (class 3) that are network failures, as the module dialect numbers them
 * (docs/architecture.md): 11 the server connection, 23 the host name lookup, 26 a timeout,
 * 73 the secure socket (TLS).
 */
const HTTP_NETWORK_CODE = { connect: 11, dns: 23, timeout: 26, tls: 73 } as const;

/**
 * The typed network error a failed request stands for (its cause the HttpRequestError), or
 * undefined when the failure is not the network's (protocol, file system...).
 */
function httpNetworkError(failed: HttpRequestError, report: string, server: { host: string; port?: number; secure: boolean } | undefined): ModemNetworkError | undefined {
  if (failed.errorClass !== 3) return undefined;
  const f: NetworkFailure = { operation: 'http', ...(server ? { host: server.host } : {}), ...(server?.port !== undefined ? { port: server.port } : {}), command: failed.command, moduleReport: report, cause: failed };
  switch (failed.errorCode) {
    case HTTP_NETWORK_CODE.connect:
      return new ConnectionFailedError(f);
    case HTTP_NETWORK_CODE.dns:
      return new DnsError(f);
    case HTTP_NETWORK_CODE.timeout:
      return new ConnectTimeoutError(f);
    case HTTP_NETWORK_CODE.tls:
      return new TlsHandshakeError('handshake', f);
    default:
      return undefined;
  }
}

/** +UHTTPC <http_command> per method (POST: 4 a file, 5 data). */
const COMMAND: Record<Exclude<HttpMethod, 'POST'>, number> = { HEAD: 0, GET: 1, DELETE: 2, PUT: 3 };
const POST_FILE = 4;
const POST_DATA = 5;
/** <HTTP_content_type> numbers of the MIME types the module knows; others go as 6 (user-defined). */
const CONTENT_TYPES: Record<string, number> = {
  'application/x-www-form-urlencoded': 0,
  'text/plain': 1,
  'application/octet-stream': 2,
  'multipart/form-data': 3,
  'application/json': 4,
  'application/xml': 5,
};
const USER_TYPE = 6;
const MAX_HEADERS = 5;
/** POST data inline (+UHTTPC command 5): 128 printable characters, no quote. */
const MAX_POST_DATA = 128;
const BLOCK = 64 * 1024;
const URDBLOCK_HEADER = /^\+URDBLOCK: ?"[^"]*",(\d+),"$/;

/**
 * The module's HTTP client: +UHTTP profiles, +UHTTPC requests ended by +UUHTTPCR, the
 * response read back from the module's file system. Bodies too big (or not printable
 * enough) for inline POST data are uploaded to a module file first.
 */
export class UbloxHttp {
  /** Custom headers last set per profile, so only changes are sent. */
  private readonly sentHeaders = new Map<number, string[]>();
  /** The server each profile was configured with, for the errors' messages. */
  private readonly servers = new Map<number, { host: string; port?: number; secure: boolean }>();

  constructor(
    private readonly client: AtClient,
    private readonly files: UbloxFiles,
  ) {}

  /** Resets HTTP profile `profile` and sets its server, security, credentials and timeout. */
  async configure(profile: number, opts: HttpProfileOptions): Promise<void> {
    await this.client.send(`AT+UHTTP=${profile}`);
    this.sentHeaders.delete(profile);
    this.servers.set(profile, { host: opts.host, ...(opts.port !== undefined ? { port: opts.port } : {}), secure: opts.secure !== undefined });
    const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(opts.host);
    await this.client.send(`AT+UHTTP=${profile},${isIp ? 0 : 1},${quote(opts.host)}`);
    if (opts.secure) await this.client.send(`AT+UHTTP=${profile},6,1,${opts.secure.profile}`);
    if (opts.port !== undefined) await this.client.send(`AT+UHTTP=${profile},5,${opts.port}`);
    if (opts.username !== undefined) {
      await this.client.send(`AT+UHTTP=${profile},2,${quote(opts.username)}`);
      await this.client.send(`AT+UHTTP=${profile},3,${quote(opts.password ?? '')}`);
      await this.client.send(`AT+UHTTP=${profile},4,1`);
    }
    if (opts.timeoutS !== undefined) await this.client.send(`AT+UHTTP=${profile},7,${opts.timeoutS}`);
  }

  async request(opts: HttpRequestOptions): Promise<HttpResponse> {
    const profile = opts.profile ?? 0;
    const resultFile = opts.resultFile ?? `sdk_http_${profile}`;
    const headers = Object.entries(opts.headers ?? {});
    const typeHeader = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    const custom = headers.filter(([k]) => k.toLowerCase() !== 'content-type');
    if (custom.length > MAX_HEADERS) throw new RangeError(`at most ${MAX_HEADERS} custom headers`);
    if (opts.body !== undefined && opts.method !== 'PUT' && opts.method !== 'POST') throw new TypeError(`${opts.method} takes no body`);
    await this.setHeaders(profile, custom);

    const base = `AT+UHTTPC=${profile},`;
    const target = `${quote(opts.path)},${quote(resultFile)}`;
    let command: string;
    let bodyFile: string | undefined;
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    const type = contentType(typeHeader ?? 'application/octet-stream');
    if (opts.method === 'PUT' || opts.method === 'POST') {
      const data = body ?? Buffer.alloc(0);
      if (opts.method === 'POST' && isInlineData(data)) {
        command = `${base}${POST_DATA},${target},${quote(data.toString('latin1'))},${type}`;
      } else {
        // The module file system holds no empty file: an empty POST goes as empty data.
        if (data.length === 0 && opts.method === 'POST') command = `${base}${POST_DATA},${target},"",${type}`;
        else if (data.length === 0) throw new RangeError('the module cannot PUT an empty body (its file system holds no empty file)');
        else {
          bodyFile = `sdk_http_body_${profile}`;
          await this.files.upload(bodyFile, data);
          command = `${base}${opts.method === 'PUT' ? COMMAND.PUT : POST_FILE},${target},${quote(bodyFile)},${type}`;
        }
      }
    } else command = `${base}${COMMAND[opts.method]},${target}`;

    const number = Number(command.slice(base.length).split(',')[0]);
    const stop = new AbortController();
    const done = this.client.watchUrcs(['+UUHTTPCR'], { timeoutMs: opts.timeoutMs ?? 200_000, signal: stop.signal, description: `${command} result` }, (line) => {
      const [p, c, result] = parseInfoLine(line).params.map(Number);
      return p === profile && c === number ? { line, ok: result === 1 } : undefined;
    });
    done.catch(() => {});
    try {
      await this.client.send(command);
      const outcome = await done;
      if (!outcome.ok) {
        const er = await this.client.send(`AT+UHTTPER=${profile}`);
        const [, cls, code] = (paramsOf(er.lines, '+UHTTPER') ?? []).map(Number);
        const failed = new HttpRequestError(command, outcome.line, cls ?? -1, code ?? -1);
        throw httpNetworkError(failed, er.lines.find((l) => l.startsWith('+UHTTPER')) ?? '', this.servers.get(profile)) ?? failed;
      }
    } finally {
      stop.abort();
      if (bodyFile) await this.files.delete(bodyFile).catch(() => {});
    }
    return this.readResponse(resultFile);
  }

  /** Sets custom headers 0..n-1 and clears the ones set before that are no longer wanted. */
  private async setHeaders(profile: number, headers: Array<[string, string]>): Promise<void> {
    const before = this.sentHeaders.get(profile) ?? [];
    const wanted = headers.map(([k, v]) => `${k}:${v}`);
    for (let id = 0; id < Math.max(before.length, wanted.length); id++) {
      if (before[id] === wanted[id]) continue;
      await this.client.send(`AT+UHTTP=${profile},9,${quote(`${id}:${wanted[id] ?? ''}`)}`);
    }
    this.sentHeaders.set(profile, wanted);
  }

  /** Parses the status line and headers from the file's head; the body streams from the rest. */
  private async readResponse(file: string): Promise<HttpResponse> {
    const size = await this.files.size(file);
    let head = Buffer.alloc(0);
    let end = -1;
    while (end < 0 && head.length < size) {
      head = Buffer.concat([head, await this.readBlock(file, head.length, Math.min(4096, size - head.length))]);
      end = head.indexOf('\r\n\r\n');
    }
    if (end < 0) throw new AtError(`AT+URDBLOCK=${quote(file)}`, [], `${file}: no HTTP header in the response file`);
    const [statusLine = '', ...lines] = head.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(statusLine);
    if (!m) throw new AtError(`AT+URDBLOCK=${quote(file)}`, [], `${file}: bad status line ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] !== undefined ? `${headers[name]}, ${value}` : value;
    }
    let offset = end + 4;
    const first = head.subarray(offset);
    offset = head.length;
    let pushedFirst = first.length === 0;
    const body = new Readable({
      read: () => {
        if (!pushedFirst) {
          pushedFirst = true;
          body.push(first);
          return;
        }
        if (offset >= size) {
          body.push(null);
          return;
        }
        this.readBlock(file, offset, Math.min(BLOCK, size - offset)).then(
          (chunk) => {
            offset += chunk.length;
            body.push(chunk);
          },
          (err: unknown) => body.destroy(err as Error),
        );
      },
    });
    return { status: Number(m[1]), statusText: m[2] ?? '', headers, body };
  }

  private async readBlock(file: string, offset: number, length: number): Promise<Buffer> {
    const command = `AT+URDBLOCK=${quote(file)},${offset},${length}`;
    const r = await this.client.send(command, { binaryHeader: URDBLOCK_HEADER, timeoutMs: 60_000 });
    const part = r.binary[0];
    if (!part || part.length === 0) throw new AtError(command, r.lines, `${command}: no data`);
    return part;
  }
}

function contentType(mime: string): string {
  const known = CONTENT_TYPES[mime.toLowerCase()];
  return known !== undefined ? String(known) : `${USER_TYPE},${quote(mime)}`;
}

function isInlineData(data: Buffer): boolean {
  if (data.length === 0 || data.length > MAX_POST_DATA) return false;
  for (const b of data) if (b < 0x20 || b > 0x7e || b === 0x22) return false;
  return true;
}
