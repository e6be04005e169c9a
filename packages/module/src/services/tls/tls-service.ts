import { createHash, X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Clock } from '@modemlab/at';
import type { TlsTable } from '../../models/tls-table.js';
import { planConnection, PlanError, type ConnectionPlan, type PlanFailure, type TlsCredentials } from './tls-options.js';
import { ENCRYPTED_TAG_OF_TYPE, plainSessionType, ProfileError, unpackSessionId, type SecurityProfile, type SecurityProfiles, type SessionResumption } from './profiles.js';
import { buildSession, parseSession as parseSessionDer, type SessionFields } from './session-der.js';
import { verifyServer, type VerifyFailure } from './verify.js';
import { openPskDtls, type DtlsSession } from './dtls.js';
import { CertDtlsError, openCertDtls, type DtlsResumable } from './dtls/open.js';
import { problemOfCode, type TlsProblem } from './tls-problem.js';
import type { SessionMemory } from './session-memory.js';
import { watchInactivity } from '../net/inactivity.js';

export interface SecureConnectRequest {
  /** Security profile (+USECPRF) to apply. */
  profileId: number;
  /** Host name as the application gave it (host name check; SNI where the product sends it). */
  host: string;
  port: number;
  /** The connected TCP socket to secure. On failure it is destroyed. */
  socket: Socket;
  /**
   * Part of a connection already counted against the product's session cap (the data
   * connection of an FTPS session, beside its control connection): not counted again.
   */
  companion?: boolean;
  /**
   * A session an earlier connection of this module established (its `getSession()` DER),
   * to resume instead of whatever the profile's session settings say: a fast redial.
   */
  session?: Buffer;
  /** The handshake inactivity limit for this connection, instead of the product's. */
  handshakeInactivityMs?: number;
}

/**
 * Why a secure connection failed, for the dialects' error mapping:
 * - session-cap   the product's concurrent TLS sessions are all in use
 * - handshake     the handshake failed or could not start (alert, no common suite, a suite
 *                 the emulator cannot run, missing client certificate/key, bad profile)
 * - verification  the handshake completed but the server failed the profile's checks
 * - timeout       the handshake inactivity timer expired
 * - closed        the peer closed the connection during the handshake
 */
export type TlsFailureReason = 'session-cap' | 'handshake' | 'verification' | 'timeout' | 'closed';

/** The finer cause, for logs and vendors with detailed codes. */
export type TlsFailureDetail = VerifyFailure | PlanFailure | 'profile' | 'alert' | 'protocol' | 'dtls-certificates-unsupported';

export interface DtlsConnectRequest {
  /** Security profile (+USECPRF) to apply: it must carry a pre-shared key. */
  profileId: number;
  /** The peer's address. */
  host: string;
  port: number;
}

/** A handshake under way (TlsService.secure). */
export interface SecureStart {
  /** The TLS socket, handshaking; absent when the handshake could not start. */
  socket?: TLSSocket;
  /** Resolves once the handshake and the profile's checks passed; rejects with a TlsFailure. */
  ready: Promise<TLSSocket>;
}

export class TlsFailure extends Error {
  /** The typed cause every vendor's table maps (see tls-problem.ts). */
  readonly problem: TlsProblem;

  constructor(
    readonly reason: TlsFailureReason,
    message?: string,
    readonly detail?: TlsFailureDetail,
    problem?: TlsProblem,
  ) {
    super(message ?? reason);
    this.problem = problem ?? defaultProblem(reason, detail);
  }
}

/** The problem a reason and detail stand for when nothing finer is known. */
function defaultProblem(reason: TlsFailureReason, detail: TlsFailureDetail | undefined): TlsProblem {
  if (reason === 'session-cap') return 'session-cap';
  if (reason === 'timeout') return 'timeout';
  if (reason === 'closed') return 'peer-closed';
  switch (detail) {
    case undefined:
    case 'alert':
    case 'protocol':
      return reason === 'handshake' ? 'protocol' : 'unknown-ca';
    case 'no-cipher':
      return 'no-common-suite';
    case 'credentials':
      return 'client-certificate';
    case 'dtls-certificates-unsupported':
      return 'psk';
    default:
      return detail;
  }
}

/** A certificate DTLS failure as the TlsFailure every dialect maps. */
function certDtlsFailure(err: unknown, timedOut: boolean): TlsFailure {
  if (timedOut) return new TlsFailure('timeout', 'handshake inactivity timer expired');
  if (err instanceof PlanError) {
    const reason = err.failure === 'ca-not-found' || err.failure === 'pin-not-found' ? 'verification' : 'handshake';
    return new TlsFailure(reason, err.message, err.failure, err.credential);
  }
  if (err instanceof CertDtlsError) {
    if (err.kind === 'verification') return new TlsFailure('verification', err.message, err.detail as VerifyFailure);
    if (err.kind === 'no-client-certificate') return new TlsFailure('handshake', err.message, 'credentials', 'client-certificate');
    return new TlsFailure('handshake', err.message, err.kind === 'alert' ? 'alert' : 'protocol');
  }
  return new TlsFailure('handshake', err instanceof Error ? err.message : String(err), 'protocol');
}

/** Sessions remembered for resumption and for checking resumed connections. */
const SESSION_CACHE_SIZE = 64;

interface KnownSession {
  der: Buffer;
  /** The server's chain (DER, leaf first) seen on the full handshake. */
  chain: Buffer[];
}

/**
 * The only place that turns a security profile into node:tls and runs handshakes. A
 * connection counts against the product's session cap from connect() until its TLS socket
 * closes.
 */
export class TlsService {
  /** DTLS sessions open, and handshakes of them under way. */
  private active = 0;
  /**
   * TLS sockets that count against the cap until destroyed. Their state is read, not their
   * 'close' event: a library that owns a socket afterwards (basic-ftp) may remove every
   * listener from it.
   */
  private readonly tlsSockets = new Set<TLSSocket>();
  /** Session-ID sessions by base64 session ID. */
  private readonly byId = new Map<string, KnownSession>();
  /** Any session by hash of its DER (resumed connections carry no certificate). */
  private readonly byDer = new Map<string, KnownSession>();

  constructor(
    readonly table: TlsTable,
    readonly credentials: TlsCredentials,
    readonly profiles: SecurityProfiles,
    readonly clock: Clock,
    /** Session-ID sessions across reboots; without it only this power-on's sessions resume. */
    private readonly memory?: SessionMemory,
    /** The module's date (its real-time clock, UTC) that certificate validity is checked at. */
    readonly moduleTime: () => number = () => clock.now(),
  ) {}

  get activeSessions(): number {
    for (const s of this.tlsSockets) if (s.destroyed) this.tlsSockets.delete(s);
    return this.active + this.tlsSockets.size;
  }

  /** Whether another secure connection may start now. */
  hasFreeSession(): boolean {
    return this.activeSessions < this.table.maxConcurrentSessions;
  }

  /**
   * Secures `req.socket` with profile `req.profileId`: a real handshake, then the profile's
   * checks. Resolves with the TLS socket once both passed; rejects with a TlsFailure (and
   * destroys the socket) otherwise.
   */
  connect(req: SecureConnectRequest): Promise<TLSSocket> {
    return this.secure(req).ready;
  }

  /**
   * As connect(), but hands the TLS socket over at once, while its handshake runs: for
   * protocols whose peer starts the handshake only after a later command (an FTPS data
   * connection is secured once RETR or STOR has been sent). `ready` settles as connect()'s
   * promise does; a connection that fails the profile's checks is destroyed before any
   * application data is read. `socket` is absent when the handshake could not start.
   */
  secure(req: SecureConnectRequest): SecureStart {
    const refuse = (failure: TlsFailure): SecureStart => {
      req.socket.destroy();
      return { ready: Promise.reject(failure) };
    };
    if (!req.companion && !this.hasFreeSession()) return refuse(new TlsFailure('session-cap', `${this.table.maxConcurrentSessions} secure connections already open`));

    let profile: SecurityProfile;
    let resumption: SessionResumption;
    try {
      profile = this.profiles.get(req.profileId);
      resumption = this.profiles.session(req.profileId);
    } catch (err) {
      if (err instanceof ProfileError) return refuse(new TlsFailure('handshake', err.message, 'profile'));
      throw err;
    }
    const resume = req.session ? this.savedSession(req.session) : this.sessionToResume(resumption, req.profileId);
    let plan: ConnectionPlan;
    try {
      plan = planConnection({ profile, table: this.table, credentials: this.credentials, host: req.host, ...(resume ? { session: resume.der } : {}) });
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      const reason = err.failure === 'ca-not-found' || err.failure === 'pin-not-found' ? 'verification' : 'handshake';
      return refuse(new TlsFailure(reason, err.message, err.failure, err.credential));
    }
    return this.handshake(req, plan, resumption, resume);
  }

  /**
   * Opens a DTLS 1.2 session with the PSK and identity of profile `req.profileId` (op 8,
   * op 9, or the root of trust's with op 11), or, without a PSK, with certificates (the
   * profile's validation level, client certificate and suites). The session counts against
   * the session cap until it closes.
   */
  async openDtls(req: DtlsConnectRequest): Promise<DtlsSession> {
    if (!this.hasFreeSession()) throw new TlsFailure('session-cap', `${this.table.maxConcurrentSessions} secure connections already open`);
    let profile: SecurityProfile;
    try {
      profile = this.profiles.get(req.profileId);
    } catch (err) {
      if (err instanceof ProfileError) throw new TlsFailure('handshake', err.message, 'profile');
      throw err;
    }
    let key: Buffer;
    let identity: string;
    if (profile.rotPsk === 1) {
      const generated = this.credentials.rotPsk?.();
      if (!generated) throw new TlsFailure('handshake', 'no PSK from the root of trust', 'credentials', 'psk');
      key = generated.psk;
      identity = generated.identity;
    } else if (profile.psk.value) {
      key = decodeString(profile.psk.value, profile.psk.hex);
      identity = decodeString(profile.pskIdentity.value, profile.pskIdentity.hex).toString('latin1');
    } else {
      return this.openCertDtls(req, profile);
    }

    this.active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active--;
    };
    // The module clock times the handshake and the client's retransmissions.
    const limit = this.table.handshakeInactivityMs;
    const abandon = new AbortController();
    let onExpire: (() => void) | undefined;
    const timer = this.clock.setTimeout(() => {
      abandon.abort();
      onExpire?.();
    }, limit);
    let session: DtlsSession;
    try {
      session = await new Promise<DtlsSession>((resolve, reject) => {
        onExpire = () => reject(new TlsFailure('timeout', 'handshake inactivity timer expired'));
        openPskDtls({ host: req.host, port: req.port, identity, key, clock: this.clock, signal: abandon.signal }).then(resolve, (err: unknown) =>
          reject(new TlsFailure('handshake', err instanceof Error ? err.message : String(err), 'protocol')),
        );
      });
    } catch (err) {
      release();
      throw err;
    } finally {
      timer.cancel();
    }
    session.once('close', release);
    return session;
  }

  /** Forgets every remembered session (power-off). */
  powerOff(): void {
    this.byId.clear();
    this.byDer.clear();
    this.dtlsSessions.clear();
  }

  /** Certificate DTLS 1.2 sessions to resume, by profile and peer (this power-on only). */
  private readonly dtlsSessions = new Map<string, DtlsResumable>();

  /** A certificate DTLS 1.2 session (our own client, dtls/): the profile's checks, client certificate, suites. */
  private async openCertDtls(req: DtlsConnectRequest, profile: SecurityProfile): Promise<DtlsSession> {
    const key = `${req.profileId}/${req.host}:${req.port}`;
    const resumeOn = this.profiles.session(req.profileId).status !== 0;
    this.active++;
    const abandon = new AbortController();
    const timer = this.clock.setTimeout(() => abandon.abort(), this.table.handshakeInactivityMs);
    try {
      const { session, resumable } = await openCertDtls({
        profile,
        table: this.table,
        credentials: this.credentials,
        clock: this.clock,
        host: req.host,
        port: req.port,
        now: () => this.moduleTime(),
        signal: abandon.signal,
        ...(resumeOn && this.dtlsSessions.has(key) ? { resume: this.dtlsSessions.get(key)! } : {}),
      }).catch((err: unknown) => {
        throw certDtlsFailure(err, abandon.signal.aborted);
      });
      if (resumeOn && resumable) this.dtlsSessions.set(key, resumable);
      session.once('close', () => this.active--);
      return session;
    } catch (err) {
      this.active--;
      throw err;
    } finally {
      timer.cancel();
    }
  }

  private handshake(req: SecureConnectRequest, plan: ConnectionPlan, resumption: SessionResumption, resume: KnownSession | undefined): SecureStart {
    let pskUsed = false;
    const options: ConnectionOptions = { ...plan.options, socket: req.socket };
    const pskCallback = plan.options.pskCallback;
    if (pskCallback) {
      options.pskCallback = (hint) => {
        pskUsed = true;
        return pskCallback(hint);
      };
    }

    let socket: TLSSocket;
    try {
      socket = tlsConnect(options);
    } catch (err) {
      // Option errors are thrown, not emitted (a suite name OpenSSL does not know).
      req.socket.destroy();
      return { ready: Promise.reject(new TlsFailure('handshake', (err as Error).message, 'protocol', syncProblem(err))) };
    }
    if (!req.companion) this.tlsSockets.add(socket);
    // TLS 1.2 sessions arrive before 'secureConnect', TLS 1.3 tickets after it.
    const sessions = new SessionCollector(socket);

    const ready = new Promise<TLSSocket>((resolve, reject) => {
      let settled = false;
      // Restarted by every packet in either direction (seed 002): the raw socket's counters.
      const timer = watchInactivity({
        clock: this.clock,
        activity: () => (req.socket.bytesRead ?? 0) + (req.socket.bytesWritten ?? 0),
        limitMs: req.handshakeInactivityMs ?? this.table.handshakeInactivityMs,
        expire: () => fail(new TlsFailure('timeout', 'handshake inactivity timer expired')),
      });
      const cleanup = () => {
        settled = true;
        timer.cancel();
        socket.off('secureConnect', onSecure);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      const fail = (failure: TlsFailure) => {
        if (settled) return;
        cleanup();
        // A refused connection frees its session at once.
        socket.destroy();
        reject(failure);
      };
      const onError = (err: NodeJS.ErrnoException) => {
        const alert = typeof err.code === 'string' && err.code.includes('ALERT');
        fail(new TlsFailure('handshake', err.message, alert ? 'alert' : 'protocol', problemOfCode(err.code)));
      };
      const onClose = () => fail(new TlsFailure('closed', 'connection closed during the handshake'));
      const onSecure = () => {
        if (settled) return;
        const reused = socket.isSessionReused();
        const chain = reused ? this.resumedChain(resume) : peerChain(socket);
        const noCertificate = chain.length === 0 && (pskUsed || plan.psk);
        if (!noCertificate) {
          const verdict = verifyServer({
            level: plan.verify.level,
            chain: chain.map((c) => new X509Certificate(c)),
            trusted: plan.verify.trusted,
            hostname: plan.verify.hostname,
            now: this.moduleTime(),
            rootDates: plan.verify.rootDates,
            rules: this.table.certificates,
            ...(plan.verify.pin ? { pin: plan.verify.pin } : {}),
          });
          if (!verdict.ok) {
            fail(new TlsFailure('verification', verdict.message, verdict.failure));
            return;
          }
        }
        cleanup();
        this.followSession(req.profileId, socket, sessions, resumption, reused ? resume : undefined, chain);
        resolve(socket);
      };
      socket.once('secureConnect', onSecure);
      socket.on('error', onError);
      socket.once('close', onClose);
    });
    return { socket, ready };
  }

  /** The saved session a profile asks to resume, if the module has it. */
  private sessionToResume(s: SessionResumption, profileId: number): KnownSession | undefined {
    if (s.status === 0) return undefined;
    // Types 10, 11, 13: the host set the data encrypted; only this module's RoT opens it.
    const encryptedTag = ENCRYPTED_TAG_OF_TYPE[s.type];
    const opened = encryptedTag === undefined ? undefined : this.profiles.openEncryptedSession(profileId, encryptedTag);
    if (encryptedTag !== undefined && !opened) return undefined;
    if (plainSessionType(s.type) === 0) {
      let sessionId = s.sessionId;
      if (opened) {
        const u = unpackSessionId(opened);
        if (!u) return undefined;
        sessionId = { id: u.id.toString('base64'), masterSecret: u.masterSecret.toString('base64') };
      }
      if (!sessionId) return undefined;
      const seen = this.byId.get(sessionId.id);
      if (seen && parseSession(seen.der)?.masterKey.toString('base64') === sessionId.masterSecret) return seen;
      const rebuilt = this.memory?.rebuild(sessionId.id, sessionId.masterSecret);
      return rebuilt ? { der: rebuilt.der, chain: rebuilt.peer ? [rebuilt.peer] : [] } : undefined;
    }
    const data = opened ? opened.toString('base64') : s.type === 1 ? s.ticket : s.pskTicket;
    if (!data) return undefined;
    const der = Buffer.from(data, 'base64');
    if (!parseSession(der)) return undefined;
    const known = this.byDer.get(hash(der));
    if (known) return known;
    // After a power cycle: a type 11 ticket's server certificate is in NVM (SessionMemory).
    const peer = this.memory?.ticketPeer(hash(der));
    return { der, chain: peer ? [peer] : [] };
  }

  /** A session DER handed back by the caller, with the chain of its full handshake where known. */
  private savedSession(der: Buffer): KnownSession | undefined {
    if (!parseSession(der)) return undefined;
    return this.byDer.get(hash(der)) ?? { der, chain: [] };
  }

  /** A resumed connection shows no certificate: the one of the original handshake counts. */
  private resumedChain(resume: KnownSession | undefined): Buffer[] {
    if (!resume) return [];
    if (resume.chain.length) return resume.chain;
    const peer = parseSession(resume.der)?.peerCertificate;
    return peer ? [peer] : [];
  }

  /** Reports the session of a connection whose profile has resumption on (+UUSECPRF). */
  private followSession(profileId: number, socket: TLSSocket, sessions: SessionCollector, s: SessionResumption, resumed: KnownSession | undefined, chain: Buffer[]): void {
    if (s.status === 0) {
      sessions.stop();
      return;
    }
    // Session-ID resumption is TLS 1.2's; a resumed one reports the same data again.
    const plain = plainSessionType(s.type);
    if (plain === 0 && socket.getProtocol() === 'TLSv1.3') {
      sessions.stop();
      return;
    }
    if (resumed && plain === 0) {
      sessions.stop();
      this.reportSession(profileId, s, resumed.der, chain);
      return;
    }
    sessions.first((der) => this.reportSession(profileId, s, der, chain));
  }

  private reportSession(profileId: number, s: SessionResumption, der: Buffer, chain: Buffer[]): void {
    const fields = parseSession(der);
    if (!fields) return;
    const known = { der, chain };
    remember(this.byDer, hash(der), known);
    if (plainSessionType(s.type) === 0) {
      if (fields.sessionId.length === 0) return;
      const id = fields.sessionId.toString('base64');
      remember(this.byId, id, known);
      this.memory?.remember(id, { ...fields, ...(chain[0] && !fields.peerCertificate ? { peerCertificate: chain[0] } : {}) });
      this.profiles.sessionEstablished(profileId, { type: s.type === 10 ? 10 : 0, sessionId: id, masterSecret: fields.masterKey.toString('base64') });
    } else {
      const type = s.type === 3 || s.type === 11 || s.type === 13 ? s.type : 1;
      // Type 11's data goes back on a command line (tag 13, like the seed's 364 characters):
      // the server certificate is left out, the ticket and keys are all a resumption needs.
      const data = type === 11 ? buildSession({ ...fields, peerCertificate: undefined }) : der;
      if (type === 11) {
        remember(this.byDer, hash(data), known);
        const peer = chain[0] ?? fields.peerCertificate;
        if (peer) this.memory?.rememberTicketPeer(hash(data), peer);
      }
      this.profiles.sessionEstablished(profileId, { type, data: data.toString('base64') });
    }
  }
}

/** What an option node:tls refused at connect stands for: a suite name or the client key. */
function syncProblem(err: unknown): TlsProblem {
  const problem = problemOfCode((err as NodeJS.ErrnoException).code);
  return problem === 'protocol' && /key/i.test(String((err as Error).message)) ? 'client-key' : problem;
}

/** Keeps the first session a connection announces, whenever it comes. */
class SessionCollector {
  private der?: Buffer;
  private consumer?: (der: Buffer) => void;
  private readonly onSession = (der: Buffer) => {
    if (this.consumer) {
      const c = this.consumer;
      this.stop();
      c(der);
    } else this.der ??= der;
  };

  constructor(private readonly socket: TLSSocket) {
    socket.on('session', this.onSession);
  }

  /** Hands the first session over, now or when it arrives. */
  first(consumer: (der: Buffer) => void): void {
    if (this.der) {
      const der = this.der;
      this.stop();
      consumer(der);
    } else this.consumer = consumer;
  }

  stop(): void {
    this.consumer = undefined;
    this.der = undefined;
    this.socket.off('session', this.onSession);
  }
}

/** The fields of a saved session, or undefined when the bytes are not one. */
function parseSession(der: Buffer): SessionFields | undefined {
  try {
    return parseSessionDer(der);
  } catch {
    return undefined;
  }
}

function decodeString(value: string, hex: boolean): Buffer {
  return hex ? Buffer.from(value, 'hex') : Buffer.from(value, 'latin1');
}

function hash(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > SESSION_CACHE_SIZE) map.delete(map.keys().next().value as K);
}

/** The certificates the server sent, leaf first, as DER. */
function peerChain(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let cert = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  while (cert && cert.raw && out.length < 10) {
    if (out.some((c) => c.equals(cert.raw))) break;
    out.push(cert.raw);
    cert = cert.issuerCertificate as PeerCertificate & { issuerCertificate?: PeerCertificate };
  }
  return out;
}

/** What a secured connection negotiated, as the dialects report it (#SSLS...). */
export interface NegotiatedTls {
  /** 'TLSv1', 'TLSv1.2'... */
  protocol: string;
  /** IANA name of the negotiated suite, e.g. TLS_RSA_WITH_AES_256_CBC_SHA. */
  cipher: string;
  /** The handshake resumed a saved session. */
  reused: boolean;
}

export function negotiated(socket: TLSSocket): NegotiatedTls {
  return { protocol: socket.getProtocol() ?? '', cipher: socket.getCipher()?.standardName ?? '', reused: socket.isSessionReused() };
}

/** The session of a secured connection now (if any) and each one the server sends later. */
export function followSessions(socket: TLSSocket, onSession: (der: Buffer | undefined) => void): void {
  onSession(socket.getSession());
  socket.on('session', (der: Buffer) => onSession(der));
}
