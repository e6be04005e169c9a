import { EventEmitter } from 'node:events';
import { createECDH, createHash, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '@modemlab/at';
import { prf } from './prf.js';
import { CONTENT, openRecord, ReplayWindow, sealRecord, type DtlsRecord, type GcmKeys } from './record.js';
import { openCcm8Record, sealCcm8Record } from './record-ccm.js';
import { fragments, HS, Reassembler, wholeMessage, type HandshakeMessage } from './handshake.js';
import { DTLS_GROUPS, pskPremaster } from './suites.js';
import {
  checkSignature, DecodeError, DTLS_SERVER_SUITES, makeSignature, parseClientHello, readVec, serverScheme, u16, u16List, vec,
  type DtlsServerSuite,
} from './server-suites.js';

/** What every peer session shares, from DtlsServerOptions. */
export interface PeerConfig {
  chain: X509Certificate[];
  key?: KeyObject;
  roots: X509Certificate[];
  psk: ReadonlyMap<string, Buffer>;
  clock: Clock;
  mtu: number;
  idleMs: number;
  now: () => number;
}

export interface PeerHooks {
  open(s: DtlsPeerSession): void;
  failed(err: Error): void;
  gone(s: DtlsPeerSession): void;
}

/** A handshake the server refused; `alert` is the fatal alert description sent. */
export class DtlsServerHandshakeError extends Error {
  constructor(readonly alert: number, message: string) {
    super(message);
  }
}

export const ALERT = {
  closeNotify: 0, unexpectedMessage: 10, handshakeFailure: 40, badCertificate: 42, certificateExpired: 45,
  unknownCa: 48, decodeError: 50, decryptError: 51, unknownPskIdentity: 115,
} as const;

const refuse = (alert: number, message: string) => new DtlsServerHandshakeError(alert, message);

type Phase = 'hello' | 'client-flight' | 'open' | 'closed';

export interface DtlsPeerEvents {
  message: [Buffer];
  close: [];
}

/**
 * One peer of the DTLS server: the server side of the full handshake (ServerHello,
 * Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone — or PSK), the
 * client's flight checked (chain against the CA, CertificateVerify, Finished), then
 * application data both ways. The last flight is resent when the peer repeats its own.
 */
export class DtlsPeerSession extends EventEmitter<DtlsPeerEvents> {
  readonly peer: string;
  private phase: Phase = 'hello';
  private suite?: DtlsServerSuite;
  private clientRandom: Buffer = Buffer.alloc(0);
  private readonly serverRandom = randomBytes(32);
  private transcript: Buffer[] = [];
  private readonly inbound = new Reassembler();
  private sendMsgSeq = 0;
  private clientHelloSeq = 0;
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private flight: Array<() => Buffer> = [];
  private ecdh?: ReturnType<typeof createECDH>;
  private certRequested = false;
  private gotCertificate = false;
  private gotKeyExchange = false;
  private needVerify = false;
  private master?: Buffer;
  private writeKeys?: GcmKeys;
  private readKeys?: GcmKeys;
  private ccsSeen = false;
  private early: DtlsRecord[] = [];
  private readonly replay = new ReplayWindow();
  private idle?: { cancel(): void };
  /** The client's certificate chain (leaf first), when it sent one. */
  clientChain: X509Certificate[] = [];
  /** The PSK identity the client used. */
  identity?: string;

  constructor(
    private readonly cfg: PeerConfig,
    readonly address: string,
    readonly port: number,
    private readonly out: (datagram: Buffer) => void,
    private readonly hooks: PeerHooks,
    first: { recordSeq: number; messageSeq: number },
  ) {
    super();
    this.peer = `${address}:${port}`;
    // Like OpenSSL: our epoch-0 records continue from the ClientHello's record number.
    this.writeSeq[0] = first.recordSeq;
    this.inbound.next = first.messageSeq;
    this.touch();
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get suiteCode(): number | undefined {
    return this.suite?.code;
  }

  /** Whether a ClientHello with this random starts another handshake (not a retransmission). */
  isNewHandshake(random: Buffer): boolean {
    return this.phase === 'closed' || (this.clientRandom.length > 0 && !this.clientRandom.equals(random));
  }

  /** Sends application data; false when the session is not open. */
  send(data: Buffer): boolean {
    if (this.phase !== 'open') return false;
    this.out(this.record(CONTENT.applicationData, data));
    return true;
  }

  /** close_notify, then the state is forgotten. */
  close(): void {
    if (this.phase === 'open') this.sendAlert(1, ALERT.closeNotify);
    this.forget();
  }

  /** Drops the state without a word (idle expiry, a new handshake from the same address). */
  forget(): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    this.idle?.cancel();
    this.hooks.gone(this);
    if (wasOpen) this.emit('close');
  }

  onDatagram(records: DtlsRecord[]): void {
    if (this.phase === 'closed') return;
    this.touch();
    let resend = false;
    try {
      for (const r of records) {
        if (this.onRecord(r)) resend = true;
        if ((this.phase as Phase) === 'closed') return;
      }
      this.drain();
      if (resend) this.sendFlight();
    } catch (err) {
      const e = err instanceof DtlsServerHandshakeError ? err : err instanceof DecodeError ? refuse(ALERT.decodeError, err.message) : refuse(ALERT.handshakeFailure, (err as Error).message);
      this.sendAlert(2, e.alert);
      const wasHandshake = this.phase !== 'open';
      this.forget();
      if (wasHandshake) this.hooks.failed(e);
    }
  }

  private touch(): void {
    this.idle?.cancel();
    this.idle = this.cfg.clock.setTimeout(() => this.forget(), this.cfg.idleMs);
  }

  // ---- records ----

  private seal(type: number, epoch: number, seq: number, plain: Buffer): Buffer {
    if (epoch === 0) return sealRecord(type, 0, seq, plain);
    return this.suite!.cipher === 'ccm8' ? sealCcm8Record(type, epoch, seq, plain, this.writeKeys!) : sealRecord(type, epoch, seq, plain, this.writeKeys);
  }

  private record(type: number, body: Buffer, epoch = this.writeEpoch): Buffer {
    return this.seal(type, epoch, this.writeSeq[epoch]!++, body);
  }

  /** Handles one record; returns whether the peer repeated a message we already answered. */
  private onRecord(r: DtlsRecord): boolean {
    let body = r.fragment;
    if (r.epoch === 1) {
      if (!this.readKeys || (!this.ccsSeen && r.type !== CONTENT.changeCipherSpec)) {
        if (this.early.length < 32) this.early.push(r);
        return false;
      }
      const plain = this.suite!.cipher === 'ccm8' ? openCcm8Record(r, this.readKeys) : openRecord(r, this.readKeys);
      if (!plain || !this.replay.accept(r.seq)) return false;
      body = plain;
    } else if (r.epoch !== 0) return false;
    else if (this.phase === 'open' && r.type !== CONTENT.handshake && r.type !== CONTENT.alert) return false;

    switch (r.type) {
      case CONTENT.alert:
        this.onAlert(body);
        return false;
      case CONTENT.changeCipherSpec:
        if (this.phase === 'client-flight' && this.readKeys && !this.ccsSeen) {
          this.ccsSeen = true;
          const early = this.early;
          this.early = [];
          let resend = false;
          for (const e of early) if (this.onRecord(e)) resend = true;
          return resend;
        }
        if (!this.readKeys && this.early.length < 32) this.early.push(r);
        return false;
      case CONTENT.handshake: {
        const { old } = this.inbound.add(body);
        // Handle it now: the key exchange must be in before a ChangeCipherSpec later in the datagram.
        this.drain();
        return old && this.phase !== 'hello' && this.startsPeerFlight(body);
      }
      case CONTENT.applicationData:
        if (this.phase === 'open' && r.epoch === 1) this.emit('message', Buffer.from(body));
        return false;
      default:
        return false;
    }
  }

  /**
   * Whether the record holds the start (offset 0) of the first message of the peer's last
   * flight: the ClientHello while we wait for its second flight, the message after it once
   * open. One resend per repeated flight, however many datagrams it takes.
   */
  private startsPeerFlight(record: Buffer): boolean {
    const first = this.phase === 'open' ? this.clientHelloSeq + 1 : this.clientHelloSeq;
    for (let at = 0; at + 12 <= record.length; at += 12 + record.readUIntBE(at + 9, 3)) {
      if (record.readUInt16BE(at + 4) === first && record.readUIntBE(at + 6, 3) === 0) return true;
    }
    return false;
  }

  private onAlert(body: Buffer): void {
    const description = body[1] ?? 0;
    if (description === ALERT.closeNotify) {
      // RFC 5246 §7.2.1: answer close_notify with our own.
      if (this.phase === 'open') this.sendAlert(1, ALERT.closeNotify);
      this.forget();
      return;
    }
    if (body[0] === 2) {
      const wasHandshake = this.phase !== 'open';
      this.forget();
      if (wasHandshake) this.hooks.failed(new DtlsServerHandshakeError(description, `fatal alert ${description} from the client`));
    }
  }

  private sendAlert(level: number, description: number): void {
    this.out(this.record(CONTENT.alert, Buffer.from([level, description])));
  }

  // ---- handshake ----

  private drain(): void {
    for (;;) {
      const type = this.inbound.peekType();
      if (type === undefined) return;
      if (type === HS.finished && !this.ccsSeen) return;
      this.onHandshake(this.inbound.take()!);
      if (this.phase === 'closed') return;
    }
  }

  private onHandshake(m: HandshakeMessage): void {
    const before = Buffer.concat(this.transcript);
    if (m.type !== HS.finished) this.transcript.push(wholeMessage(m.type, m.seq, m.body));
    switch (m.type) {
      case HS.clientHello:
        if (this.phase !== 'hello') throw refuse(ALERT.unexpectedMessage, 'unexpected ClientHello');
        return this.onClientHello(m);
      case HS.certificate:
        if (this.phase !== 'client-flight' || !this.certRequested || this.gotCertificate || this.gotKeyExchange) throw refuse(ALERT.unexpectedMessage, 'unexpected Certificate');
        return this.onCertificate(m.body);
      case HS.clientKeyExchange:
        if (this.phase !== 'client-flight' || this.gotKeyExchange || (this.certRequested && !this.gotCertificate)) throw refuse(ALERT.unexpectedMessage, 'unexpected ClientKeyExchange');
        return this.onClientKeyExchange(m.body);
      case HS.certificateVerify:
        if (!this.needVerify || !this.gotKeyExchange) throw refuse(ALERT.unexpectedMessage, 'unexpected CertificateVerify');
        return this.onCertificateVerify(m.body, before);
      case HS.finished:
        if (this.phase !== 'client-flight' || !this.gotKeyExchange || this.needVerify) throw refuse(ALERT.unexpectedMessage, 'unexpected Finished');
        return this.onFinished(m);
      default:
        throw refuse(ALERT.unexpectedMessage, `unexpected handshake message ${m.type}`);
    }
  }

  private chooseSuite(offered: number[], groups: number[], schemes: number[]): { suite: DtlsServerSuite; group?: number; scheme?: number } | undefined {
    const key = this.cfg.key;
    for (const s of DTLS_SERVER_SUITES) {
      if (!offered.includes(s.code)) continue;
      if (s.kx === 'psk') {
        if (this.cfg.psk.size > 0) return { suite: s };
        continue;
      }
      if (!key || (key.asymmetricKeyType === 'ec' ? 'ecdsa' : 'rsa') !== s.auth) continue;
      const group = groups.length === 0 ? 23 : [23, 24].find((g) => groups.includes(g));
      const scheme = serverScheme(key, schemes);
      if (group !== undefined && scheme !== undefined) return { suite: s, group, scheme };
    }
    return undefined;
  }

  private onClientHello(m: HandshakeMessage): void {
    const ch = parseClientHello(m.body);
    this.clientRandom = ch.random;
    const chosen = this.chooseSuite(ch.suites, u16List(ch.extensions.get(10)), u16List(ch.extensions.get(13)));
    if (!chosen) throw refuse(ALERT.handshakeFailure, 'no cipher suite in common');
    const s = chosen.suite;
    this.suite = s;
    this.sendMsgSeq = m.seq;
    this.clientHelloSeq = m.seq;
    this.flight = [];
    const ext: Buffer[] = [];
    // RFC 5746: OpenSSL 3 clients refuse servers that do not confirm secure renegotiation.
    if (ch.extensions.has(0xff01) || ch.suites.includes(0x00ff)) ext.push(Buffer.concat([u16(0xff01), vec(2, Buffer.from([0]))]));
    this.handshakeMessage(HS.serverHello, Buffer.concat([
      u16(0xfefd), this.serverRandom, vec(1, Buffer.alloc(0)), u16(s.code), Buffer.from([0]), ...(ext.length ? [vec(2, Buffer.concat(ext))] : []),
    ]));
    if (s.kx === 'ecdhe') {
      this.handshakeMessage(HS.certificate, vec(3, Buffer.concat(this.cfg.chain.map((c) => vec(3, c.raw)))));
      this.ecdh = createECDH(DTLS_GROUPS.get(chosen.group!)!);
      const params = Buffer.concat([Buffer.from([3]), u16(chosen.group!), vec(1, this.ecdh.generateKeys())]);
      const signature = makeSignature(chosen.scheme!, Buffer.concat([this.clientRandom, this.serverRandom, params]), this.cfg.key!);
      this.handshakeMessage(HS.serverKeyExchange, Buffer.concat([params, u16(chosen.scheme!), vec(2, signature)]));
      if (this.cfg.roots.length > 0) {
        this.certRequested = true;
        // rsa_sign, ecdsa_sign; any CA (an empty certificate_authorities list).
        this.handshakeMessage(HS.certificateRequest, Buffer.concat([vec(1, Buffer.from([1, 64])), vec(2, Buffer.concat([0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0601].map(u16))), vec(2, Buffer.alloc(0))]));
      }
    }
    this.handshakeMessage(HS.serverHelloDone, Buffer.alloc(0));
    this.phase = 'client-flight';
    this.sendFlight();
  }

  private onCertificate(b: Buffer): void {
    this.gotCertificate = true;
    const list = readVec(b, 0, 3).value;
    const chain: X509Certificate[] = [];
    for (let at = 0; at < list.length; ) {
      const c = readVec(list, at, 3);
      try {
        chain.push(new X509Certificate(c.value));
      } catch {
        throw refuse(ALERT.badCertificate, 'client certificate does not parse');
      }
      at = c.end;
    }
    if (chain.length === 0) throw refuse(ALERT.handshakeFailure, 'the server requires a client certificate');
    this.checkChain(chain);
    this.clientChain = chain;
    this.needVerify = true;
  }

  /** Walks leaf → issuer through the sent chain until one of the roots signed it. */
  private checkChain(chain: X509Certificate[]): void {
    const now = this.cfg.now();
    let cert = chain[0]!;
    for (let depth = 0; depth < 6; depth++) {
      if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) throw refuse(ALERT.certificateExpired, `client certificate ${cert.subject} is outside its validity`);
      const root = this.cfg.roots.find((r) => cert.checkIssued(r) && cert.verify(r.publicKey));
      if (root) return;
      const next = chain.find((c) => c !== cert && cert.checkIssued(c) && cert.verify(c.publicKey) && c.ca);
      if (!next) break;
      cert = next;
    }
    throw refuse(ALERT.unknownCa, 'client certificate is not issued by the trusted CA');
  }

  private onClientKeyExchange(b: Buffer): void {
    this.gotKeyExchange = true;
    const s = this.suite!;
    let pms: Buffer;
    if (s.kx === 'psk') {
      const identity = readVec(b, 0, 2).value.toString('utf8');
      const psk = this.cfg.psk.get(identity);
      if (!psk) throw refuse(ALERT.unknownPskIdentity, `unknown PSK identity '${identity}'`);
      this.identity = identity;
      pms = pskPremaster(psk);
    } else {
      try {
        pms = this.ecdh!.computeSecret(readVec(b, 0, 1).value);
      } catch (err) {
        if (err instanceof DecodeError) throw err;
        throw refuse(ALERT.handshakeFailure, 'invalid ECDHE point from the client');
      }
    }
    this.master = prf(s.prfHash, pms, 'master secret', Buffer.concat([this.clientRandom, this.serverRandom]), 48);
    const block = prf(s.prfHash, this.master, 'key expansion', Buffer.concat([this.serverRandom, this.clientRandom]), 2 * s.keyLength + 8);
    const k = s.keyLength;
    this.readKeys = { key: block.subarray(0, k), salt: block.subarray(2 * k, 2 * k + 4) };
    this.writeKeys = { key: block.subarray(k, 2 * k), salt: block.subarray(2 * k + 4, 2 * k + 8) };
    // A ChangeCipherSpec (and what follows) that overtook the key exchange.
    const early = this.early;
    this.early = [];
    for (const e of early) this.onRecord(e);
  }

  private onCertificateVerify(b: Buffer, before: Buffer): void {
    if (b.length < 4) throw refuse(ALERT.decodeError, 'truncated CertificateVerify');
    const scheme = b.readUInt16BE(0);
    const signature = readVec(b, 2, 2).value;
    if (!checkSignature(scheme, before, this.clientChain[0]!.publicKey, signature)) throw refuse(ALERT.decryptError, 'client CertificateVerify does not verify');
    this.needVerify = false;
  }

  private verifyData(label: string): Buffer {
    const h = createHash(this.suite!.prfHash).update(Buffer.concat(this.transcript)).digest();
    return prf(this.suite!.prfHash, this.master!, label, h, 12);
  }

  private onFinished(m: HandshakeMessage): void {
    if (!m.body.equals(this.verifyData('client finished'))) throw refuse(ALERT.decryptError, 'client Finished does not verify');
    this.transcript.push(wholeMessage(m.type, m.seq, m.body));
    this.flight = [];
    const epoch0 = this.writeEpoch;
    this.flight.push(() => this.record(CONTENT.changeCipherSpec, Buffer.from([1]), epoch0));
    this.writeEpoch = 1;
    this.handshakeMessage(HS.finished, this.verifyData('server finished'));
    this.phase = 'open';
    this.sendFlight();
    this.hooks.open(this);
  }

  private handshakeMessage(type: number, body: Buffer): void {
    const seq = this.sendMsgSeq++;
    this.transcript.push(wholeMessage(type, seq, body));
    const epoch = this.writeEpoch;
    const max = this.cfg.mtu - 13 - 12 - (epoch === 0 ? 0 : 24);
    for (const frag of fragments(type, seq, body, max)) this.flight.push(() => this.record(CONTENT.handshake, frag, epoch));
  }

  /** The current flight, records packed into datagrams up to the MTU; each send gets fresh record numbers. */
  private sendFlight(): void {
    let datagram: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (datagram.length) this.out(Buffer.concat(datagram));
      datagram = [];
      size = 0;
    };
    for (const make of this.flight) {
      const r = make();
      if (size + r.length > this.cfg.mtu) flush();
      datagram.push(r);
      size += r.length;
    }
    flush();
  }
}
