import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import type { Clock } from '@modemlab/at';
import { ServiceError } from '../errors.js';
import { FileSystemError, type FileSystem, type FileWriter } from '../files/file-system.js';
import type { Dialer, NetConnection } from '../net/dialer.js';
import { SocketError } from '../net/errors.js';
import { watchInactivity } from '../net/inactivity.js';
import type { HttpProfile } from './profiles.js';
import type { RequestBody } from './request-body.js';

/**
 * Why a request failed, vendor-neutral; each dialect maps it to its error class/code.
 * - no-server       the profile names no server
 * - no-data-path    no active context to send through
 * - dns             the server name did not resolve
 * - refused         the server refused the connection
 * - connect         another network error while connecting or talking
 * - tls             the TLS handshake or the profile's checks failed (or no TLS session free)
 * - timeout         nothing moved on the connection for the profile's timeout
 * - file-not-found  the file to PUT or POST does not exist
 * - no-space        the response does not fit in the file system
 * - file-system     another file-system failure
 * - protocol        the server's answer was not a complete HTTP response
 */
export type HttpFailureReason = 'no-server' | 'no-data-path' | 'dns' | 'refused' | 'connect' | 'tls' | 'timeout' | 'file-not-found' | 'no-space' | 'file-system' | 'protocol';

export class HttpFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

export type HttpMethodKind = 'head' | 'get' | 'delete' | 'put' | 'post-file' | 'post-data';

const METHOD: Record<HttpMethodKind, string> = { head: 'HEAD', get: 'GET', delete: 'DELETE', put: 'PUT', 'post-file': 'POST', 'post-data': 'POST' };

export interface RequestDeps {
  dialer: Dialer;
  files: FileSystem;
  clock: Clock;
  /** "HTTP/1.0": the version the result file's status line shows. */
  statusLineVersion: string;
}

export interface RequestPlan {
  profileId: number;
  profile: HttpProfile;
  port: number;
  method: HttpMethodKind;
  path: string;
  resultFile: string;
  body?: RequestBody;
}

/**
 * Runs one request on real sockets: the module's dialer (data path, resolve, the lab's
 * forwards, TCP, TLS by the profile's security profile, bytes into the PDP counters),
 * node:http on that connection, and the
 * response streamed into the result file (status line, headers, blank line, body) through
 * one atomic writer. On failure the writer is dropped and the old result file stays.
 * `abort` stops it silently (power-off).
 */
export function runRequest(deps: RequestDeps, plan: RequestPlan, abort: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let raw: Socket | undefined;
    let conn: NetConnection | undefined;
    const dialAbort = new AbortController();
    let req: ClientRequest | undefined;
    let writer: FileWriter | undefined;
    let watchdog: { cancel(): void } | undefined;
    let received = 0;
    let settled = false;

    const finish = (failure?: HttpFailure) => {
      if (settled) return;
      settled = true;
      watchdog?.cancel();
      abort.removeEventListener('abort', onAbort);
      if (failure) {
        writer?.abort();
        req?.destroy();
        dialAbort.abort();
        conn?.stream.destroy();
        raw?.destroy();
        conn?.activity();
        reject(failure);
        return;
      }
      try {
        writer?.commit();
      } catch (err) {
        reject(fsFailure(err));
        return;
      } finally {
        conn?.stream.destroy();
        conn?.activity();
      }
      resolve();
    };
    const onAbort = () => finish(new HttpFailure('connect', 'aborted'));
    abort.addEventListener('abort', onAbort);

    const host = plan.profile.serverName || plan.profile.serverIp;
    if (!host) return finish(new HttpFailure('no-server', 'no server name or address'));

    // Until the request ends, every byte either way restarts the inactivity timeout; the
    // watchdog's looks also move the connection's bytes into the PDP counters.
    watchdog = watchInactivity({
      clock: deps.clock,
      activity: () => (conn?.activity() ?? (raw ? raw.bytesRead + raw.bytesWritten : 0)) + received,
      limitMs: plan.profile.timeoutS * 1000,
      expire: () => finish(new HttpFailure('timeout', 'no activity')),
    });
    const connect = async (): Promise<Duplex> => {
      try {
        conn = await deps.dialer.connect({
          host,
          port: plan.port,
          signal: dialAbort.signal,
          onSocket: (s) => (raw = s),
          ...(plan.profile.secure ? { secure: { profileId: plan.profile.securityProfile } } : {}),
        });
      } catch (err) {
        throw dialFailure(err);
      }
      return conn.stream;
    };

    connect().then(
      (stream) => {
        if (settled) return;
        try {
          send(stream);
        } catch (err) {
          // node:http refuses some paths synchronously (spaces, control characters).
          finish(new HttpFailure('protocol', String(err)));
        }
      },
      (err: unknown) => finish(err instanceof HttpFailure ? err : new HttpFailure('connect', String(err))),
    );

    const send = (stream: Duplex) => {
      const headers = requestHeaders(plan, host);
      req = httpRequest({ method: METHOD[plan.method], path: plan.path, headers, createConnection: () => stream as Socket });
      req.on('error', (err: NodeJS.ErrnoException) => finish(new HttpFailure(err.code === 'ECONNREFUSED' ? 'refused' : 'protocol', err.message)));
      req.on('response', (res) => receive(res));
      if (plan.body) {
        const body = Readable.from(plan.body.chunks());
        body.on('error', (err) => finish(fsFailure(err)));
        body.pipe(req);
      } else req.end();
    };

    const receive = (res: IncomingMessage) => {
      try {
        writer = deps.files.createWriter(plan.resultFile);
        writer.write(Buffer.from(responseHead(deps.statusLineVersion, res), 'latin1'));
      } catch (err) {
        finish(fsFailure(err));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        try {
          writer!.write(chunk);
        } catch (err) {
          finish(fsFailure(err));
        }
      });
      res.on('end', () => finish(res.complete ? undefined : new HttpFailure('protocol', 'response cut short')));
      res.on('aborted', () => finish(new HttpFailure('protocol', 'response cut short')));
      res.on('error', (err) => finish(new HttpFailure('protocol', err.message)));
    };
  });
}

/** A dial's failure as the request's reason. */
function dialFailure(err: unknown): HttpFailure {
  if (err instanceof ServiceError) return new HttpFailure('no-data-path', err.message);
  if (!(err instanceof SocketError)) return new HttpFailure('connect', String(err));
  if (err.tls) return new HttpFailure(err.tls === 'timeout' ? 'timeout' : 'tls', err.message);
  if (err.errno === 'DNS_NOT_FOUND' || err.errno === 'DNS_FAILURE') return new HttpFailure('dns', err.message);
  return new HttpFailure(err.errno === 'ECONNREFUSED' ? 'refused' : 'connect', err.message);
}

function fsFailure(err: unknown): HttpFailure {
  if (err instanceof FileSystemError) return new HttpFailure(err.kind === 'no-space' || err.kind === 'quota' ? 'no-space' : err.kind === 'not-found' ? 'file-not-found' : 'file-system', err.message);
  return new HttpFailure('file-system', String(err));
}

/** The request's headers: Host, credentials, body type and length, then the profile's own. */
function requestHeaders(plan: RequestPlan, host: string): Record<string, string> {
  const { profile } = plan;
  const defaultPort = profile.secure ? 443 : 80;
  const headers: Record<string, string> = { Host: plan.port === defaultPort ? host : `${host}:${plan.port}`, Connection: 'close' };
  if (profile.authType === 1) headers.Authorization = `Basic ${Buffer.from(`${profile.username}:${profile.password}`, 'latin1').toString('base64')}`;
  if (plan.body) {
    headers['Content-Type'] = plan.body.contentType;
    headers['Content-Length'] = String(plan.body.length);
  }
  for (const h of profile.headers) if (h) headers[h.name] = h.value;
  return headers;
}

/**
 * Status line as the product writes it, then the headers as received. The body in the file
 * is the decoded one (node:http undoes chunked transfer coding), so Transfer-Encoding is
 * left out: a host parsing the file must not try to de-chunk it again.
 */
function responseHead(version: string, res: IncomingMessage): string {
  let head = `${version} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i]!.toLowerCase() === 'transfer-encoding') continue;
    head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  }
  return `${head}\r\n`;
}
