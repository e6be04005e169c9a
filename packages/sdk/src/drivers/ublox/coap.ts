import { PassThrough, type Readable } from 'node:stream';
import type { AtClient } from '../../at-client.js';
import { UrcError } from '../../errors.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';
import { coapErrorOf, CoapObservation } from './coap-observe.js';

export { CoapObservation, type CoapNotification } from './coap-observe.js';

export type CoapMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The module's CoAP client configuration (+UCOAP). */
export interface CoapConfigureOptions {
  /** Base URI: coap://, coaps:// (DTLS), coap+tcp://, coaps+tcp:// (TLS); a request's path replaces its path. */
  uri: string;
  /** DTLS or TLS through this security profile (+USECPRF). */
  secure?: { profile: number };
}

export interface CoapRequestOptions {
  method: CoapMethod;
  /** Path (and query) on the configured server: "/sensors/t?unit=c". The base URI's when absent. */
  path?: string;
  payload?: Buffer | string;
  /** Confirmable (default) or not. */
  confirmable?: boolean;
  /** Block-wise transfer both ways (RFC 7959) in blocks of `size` bytes (16..1024, a power of two); false: none. */
  block?: { size: number } | false;
  /** Content-Format of the payload (0 text/plain, 42 octet-stream, 50 json...). */
  contentFormat?: number;
  /** How long to wait for +UCOAPCR; default 100 s (the module gives up after 93 s). */
  timeoutMs?: number;
}

export interface CoapResponse {
  /** "2.05", "4.04"... */
  code: string;
  /**
   * What the module tells of the response's options: only the number of messages (Block2
   * blocks) it came in; +UCOAPCD carries no other option.
   */
  options: { blocks: number };
  /** The payload, block after block as +UCOAPCD delivers it. */
  payload: Readable;
}

/** No response at all (+UCOAPCR result 0 without +UCOAPCD), with the +UCOAPER class and code. */
export class CoapRequestError extends UrcError {
  override name = 'CoapRequestError';

  constructor(command: string, line: string, readonly errorClass: number, readonly errorCode: number) {
    super(command, line, errorCode);
    this.message = `${command}: ${line} (+UCOAPER class ${errorClass}, code ${errorCode})`;
  }
}

const COMMAND: Record<CoapMethod, number> = { GET: 1, DELETE: 2, PUT: 3, POST: 4 };
/** Largest payload of one +UCOAPC (hex on the command line). */
export const MAX_COAP_PAYLOAD = 512;

/**
 * The module's CoAP client: one current configuration (+UCOAP), one request at a time
 * (+UCOAPC), each response message as +UCOAPCD, the end as +UCOAPCR.
 */
export class UbloxCoap {
  private base?: URL;

  constructor(private readonly client: AtClient) {}

  async configure(opts: CoapConfigureOptions): Promise<void> {
    this.base = new URL(opts.uri);
    await this.client.send(`AT+UCOAP=1,${quote(opts.uri)}`);
    await this.client.send(opts.secure ? `AT+UCOAP=7,1,${opts.secure.profile}` : 'AT+UCOAP=7,0');
    await this.client.send('AT+UCOAP=4,1');
  }

  /** Resolves at the first response message; the payload streams the rest. */
  async request(opts: CoapRequestOptions): Promise<CoapResponse> {
    const payload = typeof opts.payload === 'string' ? Buffer.from(opts.payload, 'utf8') : opts.payload;
    if (payload && opts.method !== 'PUT' && opts.method !== 'POST') throw new TypeError(`${opts.method} takes no payload`);
    if (payload && payload.length > MAX_COAP_PAYLOAD) throw new RangeError(`at most ${MAX_COAP_PAYLOAD} bytes per request`);
    const szx = opts.block ? Math.log2(opts.block.size) - 4 : undefined;
    if (szx !== undefined && (!Number.isInteger(szx) || szx < 0 || szx > 6)) throw new RangeError('block size: 16, 32 ... 1024');
    if (!this.base) throw new TypeError('configure() first');
    if (opts.path !== undefined) {
      const url = new URL(opts.path, this.base);
      await this.client.send(`AT+UCOAP=1,${quote(url.href)}`);
    }
    await this.client.send(`AT+UCOAP=2,5,${opts.confirmable === false ? 0 : 1}`);
    for (const option of [6, 7]) await this.client.send(szx === undefined ? `AT+UCOAP=2,${option},0` : `AT+UCOAP=2,${option},1,${szx}`);
    await this.client.send(`AT+UCOAP=2,4,${opts.contentFormat === undefined ? 0 : 1}`);
    const number = COMMAND[opts.method];
    const data = opts.method === 'PUT' || opts.method === 'POST' ? `,${quote((payload ?? Buffer.alloc(0)).toString('hex').toUpperCase())}${opts.contentFormat === undefined ? '' : `,${opts.contentFormat}`}` : '';
    const command = `AT+UCOAPC=${number}${data}`;

    const stream = new PassThrough();
    let first: ((r: CoapResponse) => void) | undefined;
    const firstReply = new Promise<CoapResponse>((resolve) => (first = resolve));
    const response: CoapResponse = { code: '', options: { blocks: 0 }, payload: stream };
    const done = this.client.watchUrcs(['+UCOAPCD', '+UCOAPCR'], { timeoutMs: opts.timeoutMs ?? 100_000, description: `${command} result` }, (line) => {
      const params = parseInfoLine(line).params;
      if (line.startsWith('+UCOAPCD') && params.length > 3) return undefined; // a notification of an observation
      if (line.startsWith('+UCOAPCD')) {
        const code = Number(params[0]);
        response.code = `${Math.floor(code / 100)}.${String(code % 100).padStart(2, '0')}`;
        response.options.blocks++;
        stream.write(Buffer.from(String(params[1] ?? ''), 'hex'));
        first?.(response);
        return undefined;
      }
      return Number(params[0]) === number ? { line, ok: Number(params[1]) === 1 } : undefined;
    });
    done.catch(() => {});
    await this.client.send(command);
    // The end: a result without any response message is an error; with one, the response says it.
    const ended = done.then(async (outcome) => {
      stream.end();
      if (response.options.blocks === 0) {
        const er = await this.client.send('AT+UCOAPER');
        const [cls, code] = (paramsOf(er.lines, '+UCOAPER') ?? []).map(Number);
        throw new CoapRequestError(command, outcome.line, cls ?? -1, code ?? -1);
      }
      return response;
    });
    // Once the caller holds the stream, a later failure (a timeout) ends it with the error.
    ended.catch((err: unknown) => {
      if (response.options.blocks > 0) stream.destroy(err as Error);
    });
    return Promise.race([firstReply, ended]);
  }

  /**
   * Observes a resource (RFC 7641, +UCOAPC=5): resolves once the server has registered the
   * module, with the observation (its first notification is the registration's answer).
   * Rejects with CoapRequestError when the resource is not observable or nothing answers.
   */
  async observe(path?: string, opts: { confirmable?: boolean; timeoutMs?: number } = {}): Promise<CoapObservation> {
    if (!this.base) throw new TypeError('configure() first');
    if (path !== undefined) await this.client.send(`AT+UCOAP=1,${quote(new URL(path, this.base).href)}`);
    await this.client.send(`AT+UCOAP=2,5,${opts.confirmable === false ? 0 : 1}`);
    const failed = async (line: string) => {
      const [cls, code] = await coapErrorOf(this.client);
      return new CoapRequestError('AT+UCOAPC=5', line, cls, code);
    };
    const observation = new CoapObservation(this.client, failed);
    const registered = this.client.watchUrcs(['+UCOAPCR'], { timeoutMs: opts.timeoutMs ?? 100_000, description: 'AT+UCOAPC=5 result' }, (line) => {
      const [op, ok] = parseInfoLine(line).params.map(Number);
      return op === 5 ? { line, ok: ok === 1 } : undefined;
    });
    registered.catch(() => {});
    try {
      await this.client.send('AT+UCOAPC=5');
      const outcome = await registered;
      if (!outcome.ok) throw await failed(outcome.line);
      observation.registered = true;
    } catch (err) {
      observation.finish(err as Error);
      throw err;
    }
    return observation;
  }
}
