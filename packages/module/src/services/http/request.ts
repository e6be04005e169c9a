import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import type { Clock } from '@modemlab/at';
import type { DnsService } from '../dns.js';
import { ServiceError } from '../errors.js';
import { FileSystemError, type FileSystem, type FileWriter } from '../files/file-system.js';
import type { LabRoutes } from '../network/lab-routes.js';
import { TlsFailure, type TlsService } from '../tls/tls-service.js';
import { watchInactivity } from './inactivity.js';
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
  dns: DnsService;
  tls: TlsService;
  files: FileSystem;
  routes: LabRoutes;
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
 * Runs one request on real sockets: resolve, TCP connect (through the lab's forwards), TLS
 * through the TLS service when the profile is secure, node:http on that connection, and the
 * response streamed into the result file (status line, headers, blank line, body) through
 * one atomic writer. On failure the writer is dropped and the old result file stays.
 * `abort` stops it silently (power-off).
 */
export function runRequest(deps: RequestDeps, plan: RequestPlan, abort: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let raw: Socket | undefined;
    let secure: Duplex | undefined;
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
        secure?.destroy();
        raw?.destroy();
        reject(failure);
        return;
      }
      try {
        writer?.commit();
      } catch (err) {
        reject(fsFailure(err));
        return;
      } finally {
        (secure ?? raw)?.destroy();
      }
      resolve();
    };
    const onAbort = () => finish(new HttpFailure('connect', 'aborted'));
    abort.addEventListener('abort', onAbort);

    const host = plan.profile.serverName || plan.profile.serverIp;
    if (!host) return finish(new HttpFailure('no-server', 'no server name or address'));

    const connect = async (): Promise<Duplex> => {
      let address: string;
      try {
        address = await deps.dns.resolve(host);
      } catch (err) {
        if (err instanceof ServiceError && (err.reason === 'host-not-found' || err.reason === 'dns-failure')) throw new HttpFailure('dns', err.message);
        if (err instanceof ServiceError) throw new HttpFailure('no-data-path', err.message);
        throw err;
      }
      if (settled) throw new HttpFailure('connect', 'aborted');
      const target = deps.routes.tcpTarget(address, plan.port);
      const socket = new Socket();
      raw = socket;
      // Until the request ends, every byte either way restarts the inactivity timeout.
      const activity = () => socket.bytesRead + socket.bytesWritten + received;
      watchdog = watchInactivity(deps.clock, activity, plan.profile.timeoutS * 1000, () => finish(new HttpFailure('timeout', 'no activity')));
      await new Promise<void>((ok, fail) => {
        socket.once('error', (err: NodeJS.ErrnoException) => fail(new HttpFailure(err.code === 'ECONNREFUSED' ? 'refused' : 'connect', err.message)));
        socket.connect({ host: target.host, port: target.port }, () => ok());
      });
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      if (!plan.profile.secure) return socket;
      try {
        const tlsSocket = await deps.tls.connect({ profileId: plan.profile.securityProfile, host, port: plan.port, socket });
        secure = tlsSocket;
        tlsSocket.on('error', () => {});
        return tlsSocket;
      } catch (err) {
        if (err instanceof TlsFailure) throw new HttpFailure(err.reason === 'timeout' ? 'timeout' : 'tls', err.message);
        throw err;
      }
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
