import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { moduleRequestHeaders, type Clock } from '@modemlab/at';
import type { NvmStore } from '../../nvm/store.js';
import type { Dialer, NetConnection } from '../net/dialer.js';
import type { RootOfTrust } from '../rot/root-of-trust.js';

/** Where the security service is and which root signs its certificate (`--cloud`, `--cloud-ca`). */
export interface CloudEndpoint {
  /** `https://host[:port]`; the host is resolved by the module (host table, then DNS). */
  url: string;
  /** PEM of the CA the module trusts for this service (and only it). */
  ca: string;
}

/** The cloud could not be reached: no data path, DNS, connect, TLS or a timeout. */
export class CloudUnreachable extends Error {
  override readonly name = 'CloudUnreachable';
}

/** The cloud answered with an error status. */
export class CloudRefused extends Error {
  override readonly name = 'CloudRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status} ${message}`);
  }
}

/** The request counter the module signs with: strictly increasing for the life of its root of trust. */
const COUNTER_NAMESPACE = 'security-request-counter';

/**
 * One module-facing request to the security service, over the module's own data path:
 * the dialer (data path check, DNS by the module, lab network policy, byte accounting into
 * the PDP context) gives a TCP connection, TLS trusts only the endpoint's CA, and the body
 * is signed by the root of trust (packages/at module-request-mac, the cloud's verifier).
 */
export class CloudLink {
  constructor(
    private readonly deps: { dialer: Dialer; rot: RootOfTrust; nvm: NvmStore; clock: Clock },
  ) {}

  /** Sends `body` to `path`; resolves with the JSON answer of a 200, else throws CloudUnreachable / CloudRefused. */
  async post<T>(endpoint: CloudEndpoint, path: string, body: unknown, timeoutMs: number, cancel?: AbortSignal): Promise<T> {
    const url = new URL(endpoint.url);
    if (url.protocol !== 'https:') throw new CloudUnreachable(`${endpoint.url}: only https is spoken`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    const raw = Buffer.from(JSON.stringify(body));
    // Persisted before sending: a counter is never used twice, even across a crash.
    const counter = this.deps.nvm.update<{ last: number }>(COUNTER_NAMESPACE, { last: 0 }, (c) => void (c.last += 1)).last;
    const headers = moduleRequestHeaders(this.deps.rot.secret, {
      method: 'POST',
      path,
      rotUid: this.deps.rot.uid,
      counter,
      nonce: randomBytes(16).toString('hex'),
      body: raw,
    });

    const abort = new AbortController();
    const timer = this.deps.clock.setTimeout(() => abort.abort(new CloudUnreachable(`no answer from ${url.host} within ${timeoutMs} ms`)), timeoutMs);
    // Power-off: the exchange is lost, as on a module whose power goes.
    const onCancel = () => abort.abort(new CloudUnreachable('exchange interrupted by power-off'));
    if (cancel?.aborted) onCancel();
    else cancel?.addEventListener('abort', onCancel, { once: true });
    let conn: NetConnection | undefined;
    let tls: TLSSocket | undefined;
    try {
      conn = await this.deps.dialer.connect({ host, port, connectTimeoutMs: timeoutMs, signal: abort.signal }).catch((err: Error) => {
        throw new CloudUnreachable(`${url.host}: ${err.message}`);
      });
      tls = await secure(conn, host, endpoint.ca, abort.signal);
      const res = await exchange(tls, { host: url.host, path, headers, raw }, abort.signal);
      const parsed = parseJson(res.text);
      if (res.status !== 200) {
        const message = typeof parsed === 'object' && parsed !== null && 'Message' in parsed ? String((parsed as { Message: unknown }).Message) : res.text.slice(0, 200);
        throw new CloudRefused(res.status, message);
      }
      return parsed as T;
    } finally {
      timer.cancel();
      cancel?.removeEventListener('abort', onCancel);
      tls?.destroy();
      conn?.raw.destroy();
      conn?.activity();
    }
  }
}

function secure(conn: NetConnection, host: string, ca: string, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ socket: conn.raw, ca, host, ...(isIP(host) ? {} : { servername: host }) });
    const onAbort = () => fail(signal.reason as Error);
    const fail = (err: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err instanceof CloudUnreachable ? err : new CloudUnreachable(`TLS with ${host}: ${err.message}`));
    };
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', fail);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

function exchange(
  socket: TLSSocket,
  r: { host: string; path: string; headers: Record<string, string>; raw: Buffer },
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method: 'POST',
        host: r.host,
        path: r.path,
        createConnection: () => socket,
        headers: { ...r.headers, host: r.host, 'content-type': 'application/json', 'content-length': String(r.raw.length), connection: 'close' },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new CloudUnreachable(err.message)));
      },
    );
    req.on('error', (err) => reject(err instanceof CloudUnreachable ? err : new CloudUnreachable(err.message)));
    const onAbort = () => req.destroy(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    req.end(r.raw);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
