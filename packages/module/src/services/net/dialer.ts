import { createSocket as createUdpSocket, type Socket as UdpSocket } from 'node:dgram';
import { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '@modemlab/at';
import type { DnsService } from '../dns.js';
import { ServiceError } from '../errors.js';
import type { LabRoutes } from '../network/lab-routes.js';
import type { PdpContexts } from '../network/pdp.js';
import type { RadioLink } from '../network/radio-link.js';
import type { DtlsSession } from '../tls/dtls.js';
import { loadCertLib } from '../tls/cert-facts.js';
import { TlsFailure, type SecureStart, type TlsService } from '../tls/tls-service.js';
import { ByteMeter } from './byte-meter.js';
import type { DataPath } from './data-path.js';
import { errnoOf, SocketError, tlsSocketError } from './errors.js';
import type { NetPolicy } from './net-policy.js';
import { relayThroughRadio, shapeUdp, udpRelay } from './radio-relay.js';

/** TLS by security profile on a dialed connection. */
export interface SecureDial {
  profileId: number;
  /** A session saved from an earlier connection, to resume (a fast redial). */
  session?: Buffer;
  /** The handshake inactivity limit, instead of the product's. */
  handshakeInactivityMs?: number;
  /** Part of a connection already counted against the session cap (an FTPS data connection). */
  companion?: boolean;
  /**
   * Resolve as soon as the TLS socket exists, its handshake still running (`secured`
   * settles with it): for peers that start the handshake only after a later command.
   */
  handOver?: boolean;
}

export interface DialRequest {
  /** The host as the application gave it: a name or an address (TLS host checks, SNI). */
  host: string;
  port: number;
  /** The name TLS checks when it is not `host` (an FTPS data connection dials the PASV address). */
  tlsHost?: string;
  /** The context whose counters the bytes go to; the data path's when absent. */
  cid?: number;
  localPort?: number;
  /** Module-clock limit of the TCP connect (ETIMEDOUT). */
  connectTimeoutMs?: number;
  secure?: SecureDial;
  /** Aborting stops the dial: it rejects with the signal's reason when that is a SocketError, else ECONNABORTED. */
  signal?: AbortSignal;
  /** The TCP socket as soon as it exists, before it connects (a watchdog over the whole dial). */
  onSocket?: (raw: Socket) => void;
  /** TCP is connected, TLS not started: the moment to apply socket options. */
  onConnected?: (raw: Socket) => void;
}

/** A dialed TCP connection. */
export interface NetConnection {
  cid: number;
  /** What the module reports as the peer: the resolved address and the port asked for (not the lab route). */
  address: string;
  port: number;
  /** The TCP socket; `stream` is the TLS socket over it, or the same socket when plain. */
  raw: Socket;
  stream: Socket | TLSSocket;
  /** Settles with the TLS handshake (a SocketError when it fails); resolved when plain. */
  secured: Promise<void>;
  meter: ByteMeter;
  /** Bytes moved either way so far (TLS records included), after adding them to the PDP counters. */
  activity(): number;
}

export interface DialerDeps {
  dns: DnsService;
  path: DataPath;
  pdp: PdpContexts;
  tls: TlsService;
  clock: Clock;
  /** The lab's port forwards (a test server standing for a well-known port). */
  routes?: LabRoutes;
  /** The lab network policy (lab: loopback and the lab's named targets only); open when absent. */
  policy?: NetPolicy;
  /** The radio link (latency, bandwidth, loss, sleep); loopback speed when absent or 'off'. */
  radio?: RadioLink;
  /** Where failed handshakes are reported with their reason (the operator's log; never the AT interface). */
  log?: (message: string, detail?: unknown) => void;
}

/**
 * The one way out of the module, shared by sockets, HTTP and FTP: data path check ->
 * resolve (host table, then the system; the module's error mapping) -> lab route -> TCP
 * connect on the module clock -> TLS by security profile through the TLS service -> byte
 * accounting into the PDP context's counters. Failures are SocketErrors (an errno, plus
 * the TLS problem for a failed handshake), or the data path's ServiceError; each client
 * maps them to its own reasons in one place.
 */
export class Dialer {
  constructor(private readonly deps: DialerDeps) {}

  /** The context traffic goes through now; throws the data path's ServiceError. */
  dataPath(): number {
    return this.deps.path.context();
  }

  /** The module's address on context `cid`. */
  moduleAddress(cid: number): string {
    return this.deps.path.address(cid);
  }

  /** A meter counting into `cid` (datagrams, which have no socket counters to follow). */
  meter(cid: number): ByteMeter {
    return new ByteMeter(this.deps.pdp, cid);
  }

  /** A name or address as an IPv4 address: DNS_NOT_FOUND / DNS_FAILURE, or the data path's ServiceError. */
  async resolve(host: string): Promise<string> {
    try {
      return await this.deps.dns.resolve(host);
    } catch (err) {
      if (err instanceof ServiceError && err.reason === 'host-not-found') throw new SocketError('DNS_NOT_FOUND', err.message);
      if (err instanceof ServiceError && err.reason === 'dns-failure') throw new SocketError('DNS_FAILURE', err.message);
      throw err;
    }
  }

  /** Where a TCP connect to `address:port` really goes; EHOSTUNREACH where the lab policy forbids it. */
  route(address: string, port: number): { host: string; port: number } {
    const target = this.deps.routes?.tcpTarget(address, port) ?? { host: address, port };
    this.admit(target, 'tcp');
    return target;
  }

  /** Where a UDP datagram to `address:port` really goes; EHOSTUNREACH where the lab policy forbids it. */
  udpRoute(address: string, port: number): { host: string; port: number } {
    const target = this.deps.routes?.udpTarget(address, port) ?? { host: address, port };
    this.admit(target, 'udp');
    return target;
  }

  /** The sender of a received datagram as the module reports it (a forward's target is its forwarded endpoint). */
  udpSource(address: string, port: number): { address: string; port: number } {
    return this.deps.routes?.udpSource(address, port) ?? { address, port };
  }

  /** A refused destination fails as an unreachable host does on a real network. */
  private admit(target: { host: string; port: number }, protocol: 'tcp' | 'udp'): void {
    if (this.deps.policy && !this.deps.policy.allowsAddress(target.host, protocol, target.port)) {
      throw new SocketError('EHOSTUNREACH', `${target.host}: host unreachable (lab network)`);
    }
  }

  /** Dials a TCP connection, secured by the request's security profile when it has one. */
  async connect(req: DialRequest): Promise<NetConnection> {
    const cid = req.cid ?? this.dataPath();
    if (req.cid !== undefined) this.deps.path.check();
    const address = await this.resolve(req.host);
    throwIfAborted(req.signal);
    const target = this.route(address, req.port);
    const raw = new Socket();
    const meter = this.meter(cid);
    meter.follow(raw);
    req.onSocket?.(raw);
    const radio = this.deps.radio?.active ? this.deps.radio : undefined;
    if (radio) await this.radioConnect(radio, raw, target, req);
    else await this.tcpConnect(raw, target, req);
    // Errors after the connect reach their owner through 'close'; an unheard one must not crash.
    raw.on('error', () => {});
    req.onConnected?.(raw);
    const conn: NetConnection = { cid, address, port: req.port, raw, stream: raw, secured: Promise.resolve(), meter, activity: () => meter.sync() };
    if (req.secure) await this.secureOn(conn, req.tlsHost ?? req.host, req.secure, req.signal);
    return conn;
  }

  /**
   * Secures a connection already open with a security profile (FTPS after AUTH TLS): the
   * TLS service handshakes over its TCP socket, which stays the one counted.
   */
  async secure(conn: NetConnection, host: string, secure: SecureDial): Promise<void> {
    await this.secureOn(conn, host, secure);
  }

  /** A DTLS 1.2 session (PSK) to `address:port`; failures as SocketErrors with the TLS problem. */
  async dtls(req: { profileId: number; address: string; port: number }): Promise<DtlsSession> {
    const target = this.udpRoute(req.address, req.port);
    // With a radio profile the DTLS library's own UDP socket talks to a relay across the link.
    const relay = this.deps.radio?.active ? await udpRelay(this.deps.radio, target) : undefined;
    try {
      const session = await this.deps.tls.openDtls({ profileId: req.profileId, host: relay?.host ?? target.host, port: relay?.port ?? target.port });
      if (relay) session.once('close', relay.close);
      return session;
    } catch (err) {
      relay?.close();
      throw this.handshakeFailed(err, 'dtls', req.address, req.port);
    }
  }

  /** A UDP socket of the module's stack (bound later by its owner). */
  udp(): UdpSocket {
    const udp = createUdpSocket('udp4');
    return this.deps.radio ? shapeUdp(this.deps.radio, udp) : udp;
  }

  /**
   * A TCP connect across the radio link: the handshake costs one round trip (on the module
   * clock, under the connect timeout), then `raw` reaches the peer through the link's relay
   * (opened while the profile is set: a profile applies to connections opened after it).
   */
  private async radioConnect(radio: RadioLink, raw: Socket, target: { host: string; port: number }, req: DialRequest): Promise<void> {
    const upstream = new Socket();
    raw.once('close', () => upstream.destroy());
    const upReq: DialRequest = { ...req };
    delete upReq.localPort;
    await this.tcpConnect(upstream, target, upReq, radio.rttMs());
    if (raw.destroyed) {
      upstream.destroy();
      throw new SocketError('ECONNABORTED', 'aborted');
    }
    try {
      await relayThroughRadio(radio, raw, upstream, req.localPort);
    } catch (err) {
      upstream.destroy();
      raw.destroy();
      throw new SocketError(errnoOf(err as Error), (err as Error).message);
    }
  }

  private tcpConnect(raw: Socket, target: { host: string; port: number }, req: DialRequest, delayMs = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: SocketError) => {
        if (settled) return;
        settled = true;
        timer?.cancel();
        delay?.cancel();
        req.signal?.removeEventListener('abort', onAbort);
        raw.off('error', onError);
        if (err) {
          raw.destroy();
          reject(err);
        } else resolve();
      };
      const onError = (err: Error) => finish(new SocketError(errnoOf(err), err.message));
      const onAbort = () => finish(abortError(req.signal!));
      const timer = req.connectTimeoutMs === undefined ? undefined : this.deps.clock.setTimeout(() => finish(new SocketError('ETIMEDOUT', 'connect timed out')), req.connectTimeoutMs);
      req.signal?.addEventListener('abort', onAbort);
      raw.on('error', onError);
      const go = () => raw.connect({ ...target, ...(req.localPort !== undefined ? { localPort: req.localPort } : {}) }, () => finish());
      const delay = delayMs > 0 ? this.deps.clock.setTimeout(go, delayMs) : undefined;
      if (!delay) go();
    });
  }

  private async secureOn(conn: NetConnection, host: string, secure: SecureDial, signal?: AbortSignal): Promise<void> {
    // Start loading the certificate decoder, but arm the handshake (and its timer) now: the TLS
    // service checks the peer once the decoder is in, and a connect timeout must count from
    // the TCP connect, not from the end of an import (a test on the manual clock raced it).
    loadCertLib().catch(() => undefined);
    const start: SecureStart = this.deps.tls.secure({
      profileId: secure.profileId,
      host,
      port: conn.port,
      socket: conn.raw,
      ...(secure.companion ? { companion: true } : {}),
      ...(secure.session ? { session: secure.session } : {}),
      ...(secure.handshakeInactivityMs !== undefined ? { handshakeInactivityMs: secure.handshakeInactivityMs } : {}),
    });
    if (secure.handOver && start.socket) {
      const ready = start.ready.then(
        () => undefined,
        (err: unknown) => Promise.reject(this.handshakeFailed(err, 'tls', host, conn.port)),
      );
      ready.catch(() => undefined);
      conn.stream = start.socket;
      conn.secured = ready;
      return;
    }
    const tlsSocket = await new Promise<TLSSocket>((resolve, reject) => {
      const onAbort = () => {
        conn.raw.destroy();
        start.socket?.destroy();
        reject(abortError(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      start.ready.then(
        (s) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) s.destroy();
          else resolve(s);
        },
        (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(this.handshakeFailed(err, 'tls', host, conn.port));
        },
      );
    });
    tlsSocket.on('error', () => {});
    conn.stream = tlsSocket;
  }

  /** A failed handshake, logged once with its reason, as the SocketError the clients map. */
  private handshakeFailed(err: unknown, protocol: 'tls' | 'dtls', host: string, port: number): unknown {
    if (err instanceof TlsFailure) {
      this.deps.log?.(`${protocol} handshake with ${host}:${port} failed: ${err.problem}`, { event: 'handshake-failed', protocol, host, port, reason: err.problem, detail: err.message });
    }
    return asSocketError(err);
  }
}

function asSocketError(err: unknown): unknown {
  return err instanceof TlsFailure ? tlsSocketError(err.problem, err.message) : err;
}

function abortError(signal: AbortSignal): SocketError {
  return signal.reason instanceof SocketError ? signal.reason : new SocketError('ECONNABORTED', 'aborted');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
