import { EventEmitter } from 'node:events';
import { createDgramSocket, type Socket as UdpSocket } from './udp.js';
import { constants, createECDH, createHash, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '@modemlab/at';
import { prf } from './prf.js';
import { CONTENT, openRecord, parseRecords, ReplayWindow, sealRecord, type DtlsRecord, type GcmKeys } from './record.js';
import { openCcm8Record, sealCcm8Record } from './record-ccm.js';
import { fragments, HS, Reassembler, wholeMessage, type HandshakeMessage } from './handshake.js';
import { DTLS_GROUPS, dtlsPskSuiteByCode, dtlsSuiteByCode, pskPremaster, SIGNATURE_ALGORITHMS, type DtlsCertSuite, type DtlsPskSuite } from './suites.js';

type Suite = DtlsCertSuite | DtlsPskSuite;
const suiteByCode = (code: number): Suite | undefined => dtlsSuiteByCode(code) ?? dtlsPskSuiteByCode(code);
const isPsk = (s: Suite | undefined): s is DtlsPskSuite => s !== undefined && 'record' in s;

/** What a later handshake needs to resume this session (abbreviated handshake, RFC 5246 §7.3). */
export interface DtlsResumable {
  id: Buffer;
  master: Buffer;
  suite: number;
  /** The server's chain (DER, leaf first) from the full handshake. */
  chain: Buffer[];
}

export interface CertDtlsOptions {
  host: string;
  port: number;
  /** SNI (a host name, never an address). */
  servername?: string;
  /** Suite codes to offer, in preference order (DTLS_CERT_SUITES, or DTLS_PSK_SUITES with `psk`). */
  suites: number[];
  /** The pre-shared key and identity for PSK suites (RFC 4279): no certificates either way. */
  psk?: { identity: Buffer; key: Buffer };
  /** Client certificate chain (leaf first) and its key, for a CertificateRequest. */
  chain?: X509Certificate[];
  key?: KeyObject;
  clock: Clock;
  /** The profile's checks on the server's chain; a refusal ends the handshake with a fatal alert. */
  verify?(chain: Buffer[]): { ok: true } | { ok: false; failure: string; message: string };
  resume?: DtlsResumable;
  /** Largest datagram sent. */
  mtu?: number;
}

export type CertDtlsFailureKind = 'verification' | 'alert' | 'protocol' | 'no-client-certificate';

export class CertDtlsError extends Error {
  constructor(
    readonly kind: CertDtlsFailureKind,
    message: string,
    /** The verification failure, or the alert description received. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface CertDtlsEvents {
  message: [Buffer];
  close: [];
  error: [Error];
}

/** RFC 6347 §4.2.4: the first retransmission after 1 s, doubling up to 60 s. */
const INITIAL_RTO_MS = 1000;
const MAX_RTO_MS = 60_000;
const ALERT_BAD_CERTIFICATE = 42;
const ALERT_UNKNOWN_CA = 48;
const ALERT_HANDSHAKE_FAILURE = 40;

type Phase = 'hello' | 'server-flight' | 'finished' | 'open' | 'closed';

/**
 * The module's DTLS 1.2 client on node:crypto: ECDHE-ECDSA/RSA with AES-GCM, client
 * certificates, abbreviated-handshake resumption, flight retransmission on the module clock;
 * and with `psk`, the PSK suites (AES-GCM, AES-CCM_8) on the same state machine.
 * See docs/dtls-certificates.md for why it is ours and not a library's.
 */
export class CertDtlsSession extends EventEmitter<CertDtlsEvents> {
  private readonly udp: UdpSocket;
  private phase: Phase = 'hello';
  private readonly clientRandom = randomBytes(32);
  private serverRandom = Buffer.alloc(0);
  private sessionId = Buffer.alloc(0);
  private cookie = Buffer.alloc(0);
  private suite?: Suite;
  private master?: Buffer;
  private writeKeys?: GcmKeys;
  private readKeys?: GcmKeys;
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private sendMsgSeq = 0;
  private readonly inbound = new Reassembler();
  /** Handshake messages hashed for Finished/CertificateVerify (RFC 6347 §4.2.6). */
  private transcript: Buffer[] = [];
  private serverChain: Buffer[] = [];
  private serverKey?: KeyObject;
  private ecdhe?: { group: number; point: Buffer };
  private certRequest?: { algorithms: number[] };
  private ccsSeen = false;
  private resumed = false;
  /** Epoch-1 records that arrived before the keys or the ChangeCipherSpec. */
  private early: DtlsRecord[] = [];
  private flight: Array<() => Buffer> = [];
  private rto = INITIAL_RTO_MS;
  private timer?: { cancel(): void };
  private settle?: { resolve: () => void; reject: (err: Error) => void };

  private constructor(private readonly opts: CertDtlsOptions) {
    super();
    this.udp = createDgramSocket();
    this.udp.on('message', (msg) => this.onDatagram(msg));
    this.udp.on('error', (err) => this.fail(err));
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'message' || this.unread.length === 0) return;
      queueMicrotask(() => {
        for (const m of this.unread.splice(0)) this.emit('message', m);
      });
    });
  }

  /** Epoch-1 records seen (epoch 0 is the handshake's, which has its own message sequence). */
  private readonly replay = new ReplayWindow();
  /** Application data that arrived before anyone listened. */
  private readonly unread: Buffer[] = [];

  /** Handshakes with the server; resolves once both Finished messages have been checked. */
  static open(opts: CertDtlsOptions, signal?: AbortSignal): Promise<CertDtlsSession> {
    const session = new CertDtlsSession(opts);
    return new Promise((resolve, reject) => {
      session.settle = { resolve: () => resolve(session), reject };
      if (signal?.aborted) return session.fail(new Error('DTLS handshake abandoned'));
      signal?.addEventListener('abort', () => session.fail(new Error('DTLS handshake abandoned')), { once: true });
      session.udp.connect(opts.port, opts.host, () => session.sendClientHello());
    });
  }

  /** Whether this session was resumed with an abbreviated handshake. */
  get wasResumed(): boolean {
    return this.resumed;
  }

  /** What resuming this session later needs (after the handshake). */
  get resumable(): DtlsResumable | undefined {
    if (!this.master || !this.suite || this.sessionId.length === 0) return undefined;
    return { id: this.sessionId, master: this.master, suite: this.suite.code, chain: this.serverChain };
  }

  send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.phase !== 'open') return reject(new Error('DTLS session closed'));
      this.udp.send(this.record(CONTENT.applicationData, data), (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'open') this.sendAlert(1, 0);
    this.shutdown();
  }

  // ---- outbound ----

  private record(type: number, body: Buffer): Buffer {
    const epoch = this.writeEpoch;
    const seq = this.writeSeq[epoch]!++;
    if (epoch !== 0 && isPsk(this.suite) && this.suite.record === 'ccm8') return sealCcm8Record(type, epoch, seq, body, this.writeKeys!);
    return sealRecord(type, epoch, seq, body, epoch === 0 ? undefined : this.writeKeys);
  }

  /** Queues a handshake message of the current flight (hashed into the transcript). */
  private handshakeMessage(type: number, body: Buffer, hashed = true): void {
    const seq = this.sendMsgSeq++;
    if (hashed) this.transcript.push(wholeMessage(type, seq, body));
    const epoch = this.writeEpoch;
    const max = (this.opts.mtu ?? 1200) - 13 - 12 - (epoch === 0 ? 0 : 24);
    for (const frag of fragments(type, seq, body, max)) {
      // Each retransmission gets a fresh record sequence number, in the epoch of the original.
      this.flight.push(() => {
        const saved = this.writeEpoch;
        this.writeEpoch = epoch;
        const r = this.record(CONTENT.handshake, frag);
        this.writeEpoch = saved;
        return r;
      });
    }
  }

  private changeCipherSpec(): void {
    const epoch = this.writeEpoch;
    this.flight.push(() => {
      const saved = this.writeEpoch;
      this.writeEpoch = epoch;
      const r = this.record(CONTENT.changeCipherSpec, Buffer.from([1]));
      this.writeEpoch = saved;
      return r;
    });
    this.writeEpoch = 1;
  }

  /** Sends the current flight, packing records into datagrams up to the MTU, and arms the timer. */
  private sendFlight(): void {
    const mtu = this.opts.mtu ?? 1200;
    let datagram: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (datagram.length) this.udp.send(Buffer.concat(datagram));
      datagram = [];
      size = 0;
    };
    for (const make of this.flight) {
      const r = make();
      if (size + r.length > mtu) flush();
      datagram.push(r);
      size += r.length;
    }
    flush();
    this.armTimer();
  }

  private armTimer(): void {
    this.timer?.cancel();
    this.timer = this.opts.clock.setTimeout(() => {
      if (this.phase === 'open' || this.phase === 'closed') return;
      this.rto = Math.min(this.rto * 2, MAX_RTO_MS);
      this.sendFlight();
    }, this.rto);
  }

  private newFlight(): void {
    this.flight = [];
    this.rto = INITIAL_RTO_MS;
  }

  private sendClientHello(): void {
    if (this.phase === 'closed') return;
    const o = this.opts;
    const suites = o.resume ? [o.resume.suite, ...o.suites.filter((s) => s !== o.resume!.suite)] : o.suites;
    const ext: Buffer[] = [];
    if (o.servername) {
      const name = Buffer.from(o.servername, 'ascii');
      ext.push(extension(0, vec(2, Buffer.concat([Buffer.from([0]), vec(2, name)]))));
    }
    if (suites.some((c) => dtlsSuiteByCode(c))) {
      ext.push(extension(10, vec(2, u16s([...DTLS_GROUPS.keys()]))));
      ext.push(extension(11, Buffer.from([1, 0])));
      ext.push(extension(13, vec(2, u16s(SIGNATURE_ALGORITHMS))));
    }
    ext.push(extension(0xff01, Buffer.from([0])));
    const body = Buffer.concat([
      u16(0xfefd),
      this.clientRandom,
      vec(1, o.resume?.id ?? Buffer.alloc(0)),
      vec(1, this.cookie),
      vec(2, u16s(suites)),
      Buffer.from([1, 0]),
      vec(2, Buffer.concat(ext)),
    ]);
    this.newFlight();
    // The ClientHello answered by a HelloVerifyRequest is not hashed (RFC 6347 §4.2.1).
    this.transcript = [];
    this.handshakeMessage(HS.clientHello, body);
    this.sendFlight();
  }

  // ---- inbound ----

  private onDatagram(datagram: Buffer): void {
    if (this.phase === 'closed') return;
    try {
      for (const r of parseRecords(datagram)) this.onRecord(r);
    } catch (err) {
      if (err instanceof CertDtlsError) {
        const alert = err.kind === 'verification' ? (err.detail === 'unknown-ca' || err.detail === 'untrusted' ? ALERT_UNKNOWN_CA : ALERT_BAD_CERTIFICATE) : err.kind === 'alert' ? undefined : ALERT_HANDSHAKE_FAILURE;
        if (alert !== undefined) this.sendAlert(2, alert);
      }
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onRecord(r: DtlsRecord): void {
    let body = r.fragment;
    if (r.epoch === 1) {
      if (!this.readKeys || (!this.ccsSeen && r.type !== CONTENT.changeCipherSpec)) {
        if (this.early.length < 32) this.early.push(r);
        return;
      }
      const plain = isPsk(this.suite) && this.suite.record === 'ccm8' ? openCcm8Record(r, this.readKeys) : openRecord(r, this.readKeys);
      // Records that do not authenticate, and replays, are dropped silently.
      if (!plain || !this.replay.accept(r.seq)) return;
      body = plain;
    } else if (r.epoch !== 0) return;
    else if (this.ccsSeen && r.type !== CONTENT.handshake && r.type !== CONTENT.alert) return;

    switch (r.type) {
      case CONTENT.alert:
        return this.onAlert(body);
      case CONTENT.changeCipherSpec:
        if (this.phase !== 'open' && this.readKeys && !this.ccsSeen) {
          this.ccsSeen = true;
          const early = this.early;
          this.early = [];
          for (const e of early) this.onRecord(e);
          this.drain();
        } else if (!this.readKeys) this.early.push(r);
        return;
      case CONTENT.handshake: {
        if (r.epoch === 0 && this.ccsSeen && this.phase === 'open') return;
        const { old } = this.inbound.add(body);
        if (old && this.phase !== 'hello') {
          // The peer retransmits: our last flight was lost (RFC 6347 §4.2.4).
          if (this.phase === 'open' && this.lastFlightAfterOpen) this.sendFlightOnce();
          else if (this.phase === 'finished') this.sendFlight();
        }
        this.drain();
        return;
      }
      case CONTENT.applicationData:
        if (this.phase !== 'open' || r.epoch !== 1) return;
        // Data right behind the server's Finished arrives before open()'s caller listens.
        if (this.listenerCount('message') === 0) this.unread.push(Buffer.from(body));
        else this.emit('message', Buffer.from(body));
        return;
    }
  }

  /** After a full handshake the server speaks last; after resumption we do (and resend on its retransmission). */
  private lastFlightAfterOpen = false;

  private sendFlightOnce(): void {
    for (const make of this.flight) this.udp.send(make());
  }

  private onAlert(body: Buffer): void {
    const level = body[0];
    const description = body[1] ?? 0;
    if (description === 0) {
      if (this.phase === 'open') return this.shutdown();
      throw new CertDtlsError('alert', 'peer closed the session during the handshake', 'close_notify');
    }
    if (level === 2) throw new CertDtlsError('alert', `fatal alert ${description} from the server`, String(description));
  }

  private drain(): void {
    for (;;) {
      const type = this.inbound.peekType();
      if (type === undefined) return;
      if (type === HS.finished && !this.ccsSeen) return;
      const msg = this.inbound.take()!;
      this.onHandshake(msg);
      if (this.phase === 'closed') return;
    }
  }

  private onHandshake(m: HandshakeMessage): void {
    const hashed = () => this.transcript.push(wholeMessage(m.type, m.seq, m.body));
    switch (m.type) {
      case HS.helloVerifyRequest: {
        if (this.phase !== 'hello') throw protocol('unexpected HelloVerifyRequest');
        // The second ClientHello carries the cookie; both sides keep counting message_seq.
        this.cookie = Buffer.from(readVec(m.body, 2, 1).value);
        return this.sendClientHello();
      }
      case HS.serverHello: {
        if (this.phase !== 'hello') throw protocol('unexpected ServerHello');
        hashed();
        this.onServerHello(m.body);
        return;
      }
      case HS.certificate:
        if (this.phase !== 'server-flight' || this.resumed || isPsk(this.suite)) throw protocol('unexpected Certificate');
        hashed();
        return this.onCertificate(m.body);
      case HS.serverKeyExchange:
        if (this.phase !== 'server-flight' || (!this.serverKey && !isPsk(this.suite))) throw protocol('unexpected ServerKeyExchange');
        hashed();
        // PSK: the body is only a psk_identity_hint (RFC 4279 §2); the profile names the identity.
        if (isPsk(this.suite)) return void readVec(m.body, 0, 2);
        return this.onServerKeyExchange(m.body);
      case HS.certificateRequest:
        if (this.phase !== 'server-flight' || isPsk(this.suite)) throw protocol('unexpected CertificateRequest');
        hashed();
        return this.onCertificateRequest(m.body);
      case HS.serverHelloDone:
        if (this.phase !== 'server-flight' || (!this.ecdhe && !isPsk(this.suite))) throw protocol('unexpected ServerHelloDone');
        hashed();
        return this.sendClientFlight();
      case HS.finished:
        return this.onFinished(m);
      default:
        throw protocol(`unexpected handshake message ${m.type}`);
    }
  }

  private onServerHello(b: Buffer): void {
    let at = 2;
    this.serverRandom = Buffer.from(b.subarray(at, at + 32));
    at += 32;
    const id = readVec(b, at, 1);
    this.sessionId = Buffer.from(id.value);
    at = id.end;
    const code = b.readUInt16BE(at);
    const suite = suiteByCode(code);
    if (b.readUInt16BE(0) !== 0xfefd || !suite || !this.opts.suites.concat(this.opts.resume?.suite ?? []).includes(code)) throw protocol('server chose a version or suite not offered');
    this.suite = suite;
    this.phase = 'server-flight';
    const r = this.opts.resume;
    if (r && this.sessionId.length > 0 && this.sessionId.equals(r.id)) {
      if (r.suite !== code) throw protocol('resumed session with another suite');
      this.resumed = true;
      this.master = r.master;
      this.serverChain = r.chain;
      this.deriveKeys();
      this.phase = 'finished';
      this.newFlight();
      this.timer?.cancel();
    }
  }

  private onCertificate(b: Buffer): void {
    const list = readVec(b, 0, 3).value;
    const chain: Buffer[] = [];
    for (let at = 0; at < list.length; ) {
      const c = readVec(list, at, 3);
      chain.push(Buffer.from(c.value));
      at = c.end;
    }
    const verdict = this.opts.verify?.(chain) ?? { ok: false as const, failure: 'no-verifier', message: 'no certificate checks configured' };
    if (!verdict.ok) throw new CertDtlsError('verification', verdict.message, verdict.failure);
    if (chain.length === 0) throw protocol('server sent no certificate');
    this.serverChain = chain;
    this.serverKey = new X509Certificate(chain[0]!).publicKey;
  }

  private onServerKeyExchange(b: Buffer): void {
    if (b[0] !== 3) throw protocol('key exchange is not on a named curve');
    const group = b.readUInt16BE(1);
    if (!DTLS_GROUPS.has(group)) throw protocol(`group ${group} not offered`);
    const point = readVec(b, 3, 1);
    const params = b.subarray(0, point.end);
    const scheme = b.readUInt16BE(point.end);
    const signature = readVec(b, point.end + 2, 2).value;
    const signed = Buffer.concat([this.clientRandom, this.serverRandom, params]);
    if (!checkSignature(scheme, signed, this.serverKey!, signature)) throw new CertDtlsError('protocol', 'ServerKeyExchange signature does not verify', 'decrypt-error');
    this.ecdhe = { group, point: Buffer.from(point.value) };
  }

  private onCertificateRequest(b: Buffer): void {
    const types = readVec(b, 0, 1);
    const algs = readVec(b, types.end, 2).value;
    const algorithms: number[] = [];
    for (let i = 0; i + 1 < algs.length; i += 2) algorithms.push(algs.readUInt16BE(i));
    this.certRequest = { algorithms };
  }

  /** Certificate?, ClientKeyExchange, CertificateVerify?, ChangeCipherSpec, Finished. */
  private sendClientFlight(): void {
    if (isPsk(this.suite)) return this.sendPskFlight();
    const o = this.opts;
    const ecdh = createECDH(DTLS_GROUPS.get(this.ecdhe!.group)!);
    const mine = ecdh.generateKeys();
    let pms: Buffer;
    try {
      pms = ecdh.computeSecret(this.ecdhe!.point);
    } catch {
      throw protocol('invalid ECDHE point from the server');
    }
    this.master = prf(this.suite!.prfHash, pms, 'master secret', Buffer.concat([this.clientRandom, this.serverRandom]), 48);
    this.newFlight();
    let signWith: { scheme: number; key: KeyObject } | undefined;
    if (this.certRequest) {
      const chain = o.chain && o.key ? o.chain : [];
      const list = Buffer.concat(chain.map((c) => vec(3, c.raw)));
      this.handshakeMessage(HS.certificate, vec(3, list));
      if (chain.length && o.key) signWith = { scheme: pickScheme(o.key, this.certRequest.algorithms), key: o.key };
    }
    this.handshakeMessage(HS.clientKeyExchange, vec(1, mine));
    if (signWith) {
      const data = Buffer.concat(this.transcript);
      this.handshakeMessage(HS.certificateVerify, Buffer.concat([u16(signWith.scheme), vec(2, makeSignature(signWith.scheme, data, signWith.key))]));
    }
    this.deriveKeys();
    this.changeCipherSpec();
    this.handshakeMessage(HS.finished, this.verifyData('client finished'));
    this.phase = 'finished';
    this.sendFlight();
  }

  /** ClientKeyExchange (the PSK identity), ChangeCipherSpec, Finished (RFC 4279 §2). */
  private sendPskFlight(): void {
    const psk = this.opts.psk;
    if (!psk) throw protocol('server chose a PSK suite without a pre-shared key');
    this.master = prf(this.suite!.prfHash, pskPremaster(psk.key), 'master secret', Buffer.concat([this.clientRandom, this.serverRandom]), 48);
    this.newFlight();
    this.handshakeMessage(HS.clientKeyExchange, vec(2, psk.identity));
    this.deriveKeys();
    this.changeCipherSpec();
    this.handshakeMessage(HS.finished, this.verifyData('client finished'));
    this.phase = 'finished';
    this.sendFlight();
  }

  private deriveKeys(): void {
    const s = this.suite!;
    const block = prf(s.prfHash, this.master!, 'key expansion', Buffer.concat([this.serverRandom, this.clientRandom]), 2 * s.keyLength + 8);
    const k = s.keyLength;
    this.writeKeys = { key: block.subarray(0, k), salt: block.subarray(2 * k, 2 * k + 4) };
    this.readKeys = { key: block.subarray(k, 2 * k), salt: block.subarray(2 * k + 4, 2 * k + 8) };
  }

  private verifyData(label: string): Buffer {
    const h = createHash(this.suite!.prfHash).update(Buffer.concat(this.transcript)).digest();
    return prf(this.suite!.prfHash, this.master!, label, h, 12);
  }

  private onFinished(m: HandshakeMessage): void {
    if (this.phase !== 'finished') throw protocol('unexpected Finished');
    if (!m.body.equals(this.verifyData('server finished'))) throw new CertDtlsError('protocol', 'server Finished does not verify', 'decrypt-error');
    this.transcript.push(wholeMessage(m.type, m.seq, m.body));
    this.timer?.cancel();
    if (this.resumed) {
      this.changeCipherSpec();
      this.handshakeMessage(HS.finished, this.verifyData('client finished'));
      this.lastFlightAfterOpen = true;
      this.sendFlightOnce();
    }
    this.phase = 'open';
    const settle = this.settle;
    this.settle = undefined;
    settle?.resolve();
  }

  private sendAlert(level: number, description: number): void {
    try {
      this.udp.send(this.record(CONTENT.alert, Buffer.from([level, description])));
    } catch {
      // socket already closed
    }
  }

  private fail(err: Error): void {
    if (this.phase === 'closed') return;
    const settle = this.settle;
    this.settle = undefined;
    const wasOpen = this.phase === 'open';
    this.shutdown();
    if (settle) settle.reject(err);
    else if (wasOpen) this.emit('error', err);
  }

  private shutdown(): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    this.timer?.cancel();
    try {
      this.udp.close();
    } catch {
      // already closed
    }
    if (wasOpen) this.emit('close');
  }
}


const protocol = (message: string) => new CertDtlsError('protocol', message);

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

const u16s = (ns: readonly number[]) => Buffer.concat(ns.map(u16));

/** A TLS vector: its length in `width` bytes, then the bytes. */
function vec(width: 1 | 2 | 3, data: Buffer): Buffer {
  const h = Buffer.alloc(width);
  h.writeUIntBE(data.length, 0, width);
  return Buffer.concat([h, data]);
}

function readVec(b: Buffer, at: number, width: 1 | 2 | 3): { value: Buffer; end: number } {
  if (at + width > b.length) throw protocol('truncated handshake message');
  const length = b.readUIntBE(at, width);
  const end = at + width + length;
  if (end > b.length) throw protocol('truncated handshake message');
  return { value: b.subarray(at + width, end), end };
}

const extension = (type: number, data: Buffer) => Buffer.concat([u16(type), vec(2, data)]);

const HASH_OF: Record<number, string> = { 4: 'sha256', 5: 'sha384', 6: 'sha512' };

function schemeParams(scheme: number): { hash: string; pss: boolean } | undefined {
  if (scheme >= 0x0804 && scheme <= 0x0806) return { hash: HASH_OF[scheme - 0x0800]!, pss: true };
  const hash = HASH_OF[scheme >> 8];
  return hash ? { hash, pss: false } : undefined;
}

function checkSignature(scheme: number, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const p = schemeParams(scheme);
  if (!p || !SIGNATURE_ALGORITHMS.includes(scheme)) return false;
  try {
    if (p.pss) return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    return verify(p.hash, data, key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'der' } : key, signature);
  } catch {
    return false;
  }
}

function makeSignature(scheme: number, data: Buffer, key: KeyObject): Buffer {
  const p = schemeParams(scheme)!;
  if (p.pss) return sign(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  return sign(p.hash, data, key);
}

/** The CertificateVerify scheme for the client key among those the server accepts. */
function pickScheme(key: KeyObject, accepted: number[]): number {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const want = curve === 'secp384r1' ? [0x0503, 0x0403] : [0x0403, 0x0503];
    const found = want.find((s) => accepted.includes(s));
    if (found !== undefined) return found;
    throw new CertDtlsError('no-client-certificate', 'the server accepts no signature the client key can make');
  }
  const found = [0x0804, 0x0401, 0x0805, 0x0501].find((s) => accepted.includes(s));
  if (found === undefined) throw new CertDtlsError('no-client-certificate', 'the server accepts no signature the client key can make');
  return found;
}

