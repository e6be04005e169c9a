/**
 * Quectel BC66 driver (seed 004): identity, NB-IoT attach, DNS (+QIDNSGIP), SSL contexts
 * (+QSSLCFG), connections (+QSSLOPEN/+QSSLSEND/+QSSLCLOSE) and their URCs.
 */
import type { AtClient } from '../at-client.js';
import { AtError, ConnectTimeoutError, TlsHandshakeError, UnsupportedFeatureError, UrcError, type NetworkFailure } from '../errors.js';
import type {
  AttachOptions,
  AttachResult,
  CellularModem,
  CertificateKind,
  ConnectOptions,
  ModemCertificates,
  ModemIdentity,
  ModemTls,
  StoredCertificate,
  TlsSettings,
} from '../modem.js';
import { paramsOf, parseInfoLine, quote } from '../params.js';
import { isIP } from 'node:net';
import { connector, createConnection, openSocket, type SocketOpener } from '../socket/create-connection.js';
import type { ModemSocket } from '../socket/modem-socket.js';
import { deadline, optionalValue, queryValue, toPem, waitForRegistration } from './common.js';
import { socketOrDnsFailure } from './lookup-failure.js';
import { QuectelSocketBackend } from './quectel/socket-backend.js';

export const QUECTEL_INIT_SEQUENCE: readonly string[] = ['ATE0', 'AT+CMEE=1'];

/** Only context 1 is supported (seed 004 notes); connections are 0-5. */
export const QUECTEL_CONTEXT_ID = 1;
export const QUECTEL_CONNECT_IDS = [0, 1, 2, 3, 4, 5] as const;

/** +QSSLCFG key of each kind. */
const CFG_KEY: Readonly<Record<CertificateKind, string>> = { ca: 'cacert', 'client-cert': 'clientcert', 'private-key': 'clientkey' };

const DEFAULT_ATTACH_TIMEOUT_MS = 180_000;

/** +QSSLOPEN <err> values the driver types (seed 004 chapter 4). */
export const QSSL_ERR = { connection: -2, certificate: -3, key: -4, cipher: -5, timeout: -7 } as const;
/** +QSSLCFG "timeout" default: 90 s (seed 004 §2.2.1). */
const DEFAULT_SSL_TIMEOUT_MS = 90_000;
const CTRL_Z = '\x1a';

/**
 * The BC66 has no certificate store: PEM material belongs to one SSL connection
 * (+QSSLCFG=<ctx>,<conn>,"cacert"...) until power-down. `import` keeps it in the driver
 * under its name; `tls.configure(connectId, ...)` writes it into that connection.
 */
export class QuectelCertificates implements ModemCertificates {
  private readonly held = new Map<string, string>();

  async import(kind: CertificateKind, name: string, data: string | Buffer): Promise<undefined> {
    this.held.set(`${kind}\0${name}`, toPem(kind, data, 'as-is'));
    return undefined;
  }

  /** The module cannot list: it has no store. */
  list(): Promise<StoredCertificate[]> {
    return Promise.reject(new UnsupportedFeatureError('certificates.list', 'the BC66 has no certificate store to list; material lives in each SSL connection'));
  }

  async remove(kind: CertificateKind, name: string): Promise<void> {
    this.held.delete(`${kind}\0${name}`);
  }

  /** The PEM imported as `kind`/`name`. */
  pem(kind: CertificateKind, name: string): string {
    const pem = this.held.get(`${kind}\0${name}`);
    if (pem === undefined) throw new TypeError(`no ${kind} named "${name}" was imported`);
    return pem;
  }
}

/** SSL connection settings: seclevel 0 none, 1 server, 2 server and client; dataformat hex both ways. */
export class QuectelTls implements ModemTls {
  readonly profiles = QUECTEL_CONNECT_IDS;

  constructor(
    private readonly client: AtClient,
    private readonly certificates: QuectelCertificates,
  ) {}

  async configure(connectId: number, s: TlsSettings): Promise<void> {
    if (!QUECTEL_CONNECT_IDS.includes(connectId as 0)) throw new RangeError(`BC66 SSL connections are 0-5, not ${connectId}`);
    if (s.hostname !== undefined) throw new UnsupportedFeatureError('tls.hostname', 'the BC66 has no server name check setting');
    if (s.cipherSuite !== undefined) throw new UnsupportedFeatureError('tls.cipherSuite', 'the BC66 has no cipher suite setting');
    if ((s.clientCert === undefined) !== (s.clientKey === undefined)) throw new TypeError('mutual TLS needs both clientCert and clientKey');
    if (s.clientCert !== undefined && s.ca === undefined) throw new TypeError('BC66 seclevel 2 also checks the server: give a CA');
    const material: Array<[CertificateKind, string]> = [];
    if (s.ca !== undefined) material.push(['ca', this.certificates.pem('ca', s.ca)]);
    if (s.clientCert !== undefined) material.push(['client-cert', this.certificates.pem('client-cert', s.clientCert)]);
    if (s.clientKey !== undefined) material.push(['private-key', this.certificates.pem('private-key', s.clientKey)]);
    const level = s.clientCert !== undefined ? 2 : s.ca !== undefined ? 1 : 0;
    const ctx = QUECTEL_CONTEXT_ID;
    await this.client.send(`AT+QSSLCFG=${ctx},${connectId},"seclevel",${level}`);
    await this.client.send(`AT+QSSLCFG=${ctx},${connectId},"dataformat",1,1`);
    for (const [kind, pem] of material) {
      const key = CFG_KEY[kind];
      const command = `AT+QSSLCFG=${ctx},${connectId},"${key}"`;
      // PEM ended by Ctrl-Z; the module answers the number of bytes it took.
      const r = await this.client.send(command, { prompt: { data: pem + CTRL_Z, char: '>' }, timeoutMs: 30_000 });
      const count = Number(r.lines.map(parseInfoLine).find((l) => l.prefix?.toUpperCase() === '+QSSLCFG' && l.params[2] === key)?.params[3]);
      if (count !== Buffer.byteLength(pem, 'latin1')) throw new AtError(command, r.lines, `${command}: the module took ${count} bytes of ${Buffer.byteLength(pem, 'latin1')}`);
    }
  }
}

export class QuectelModem implements CellularModem {
  readonly vendor = 'quectel' as const;
  readonly certificates = new QuectelCertificates();
  readonly tls: QuectelTls;

  constructor(readonly client: AtClient) {
    this.tls = new QuectelTls(client, this.certificates);
  }

  async init(): Promise<void> {
    for (const command of QUECTEL_INIT_SEQUENCE) await this.client.send(command);
  }

  async identify(): Promise<ModemIdentity> {
    const manufacturer = await queryValue(this.client, 'AT+CGMI');
    const model = await queryValue(this.client, 'AT+CGMM');
    // BC66: `Revision: BC66NBR01A07`.
    const revision = (await queryValue(this.client, 'AT+CGMR')).replace(/^Revision:\s*/i, '');
    const imei = await queryValue(this.client, 'AT+CGSN=1');
    const imsi = await optionalValue(() => queryValue(this.client, 'AT+CIMI'));
    const iccid = await optionalValue(() => queryValue(this.client, 'AT+QCCID'));
    return { manufacturer, model, revision, imei, ...(imsi !== undefined ? { imsi } : {}), ...(iccid !== undefined ? { iccid } : {}) };
  }

  /**
   * NB-IoT attach: the BC66 activates its default bearer when it registers. With `apn`, the
   * bearer's APN is set first with `+QCGDEFCONT="IP","<apn>"` (radio off, as the BC66 wants).
   * Then radio on, EPS registration (+CEREG URC or poll), and the bearer's address (+CGPADDR=1).
   */
  async attach(opts: AttachOptions = {}): Promise<AttachResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
    const left = deadline('attach', timeoutMs);
    if (opts.apn !== undefined) {
      const cfun = paramsOf((await this.client.send('AT+CFUN?', { timeoutMs: left('+CFUN?') })).lines, '+CFUN');
      if (cfun?.[0] !== '0') await this.client.send('AT+CFUN=0', { timeoutMs: left('+CFUN=0') });
      await this.client.send(`AT+QCGDEFCONT="IP",${quote(opts.apn)}`, { timeoutMs: left('+QCGDEFCONT') });
    }
    const cfun = paramsOf((await this.client.send('AT+CFUN?', { timeoutMs: left('+CFUN?') })).lines, '+CFUN');
    if (cfun?.[0] !== '1') await this.client.send('AT+CFUN=1', { timeoutMs: left('+CFUN=1') });
    await waitForRegistration(this.client, '+CEREG', left('registration'));
    const command = 'AT+CGPADDR=1';
    const r = await this.client.send(command, { timeoutMs: left('+CGPADDR') });
    const ip = paramsOf(r.lines, '+CGPADDR')?.[1];
    if (!ip) throw new AtError(command, [...r.lines, r.finalLine], `${command}: no address for context 1`);
    this.address = ip;
    return { ip };
  }

  /** `AT+QIDNSGIP=1,"<name>"` -> OK, `+QIDNSGIP: <err>,<count>,<ttl>`, then one `+QIDNSGIP: "<ip>"` per address. */
  async resolve(name: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const command = `AT+QIDNSGIP=1,${quote(name)}`;
    const stop = new AbortController();
    let count: number | undefined;
    const found = this.client.watchUrcs(['+QIDNSGIP'], { timeoutMs: opts.timeoutMs ?? 70_000, signal: stop.signal, description: `${command} result` }, (line) => {
      const p = parseInfoLine(line);
      if (count === undefined) {
        if (p.quoted[0]) return undefined;
        const err = Number(p.params[0]);
        if (err !== 0) throw new UrcError(command, line, err);
        count = Number(p.params[1]);
        if (!(count > 0)) throw new UrcError(command, line, err);
        return undefined;
      }
      return p.params[0];
    });
    found.catch(() => {});
    try {
      await this.client.send(command, { expectPrefix: null, timeoutMs: opts.timeoutMs ?? 70_000 });
      return await found;
    } finally {
      stop.abort();
    }
  }

  /**
   * Opens SSL connection `tls.profile` (connectID 0-5) of context 1 with the settings of
   * `tls.configure(connectId, ...)`; `OK`, then `+QSSLOPEN: <ctx>,<conn>,<err>` (0 = connected).
   */
  connect(o: ConnectOptions): Promise<ModemSocket> {
    return openSocket(this.open, o);
  }

  /** The same, synchronously (net.createConnection-style): a pending socket that emits 'connect' or 'error'. */
  createConnection(opts: ConnectOptions, onConnect?: () => void): ModemSocket {
    return createConnection(this.open, opts, onConnect);
  }

  /** An http(s).Agent `createConnection` and undici `connect` in one, with `defaults` (the TLS slot). */
  connector(defaults: Omit<ConnectOptions, 'host' | 'port'>): ReturnType<typeof connector> {
    return connector(this.open, (target) => ({ ...defaults, host: target.host, port: target.port }));
  }

  /** The address of the last attach, the sockets' `localAddress`. */
  private address: string | undefined;
  private readonly open: SocketOpener<ConnectOptions> = (o, socket) => this.openSsl(o, socket);

  private async openSsl(o: ConnectOptions, socket: ModemSocket): Promise<void> {
    if (!o.tls) throw new UnsupportedFeatureError('connect without tls', 'the Quectel driver opens SSL connections (+QSSLOPEN) only');
    const conn = o.tls.profile;
    if (!QUECTEL_CONNECT_IDS.includes(conn as 0)) throw new RangeError(`BC66 SSL connections are 0-5, not ${conn}`);
    const ctx = QUECTEL_CONTEXT_ID;
    const timeoutMs = o.timeoutMs ?? DEFAULT_SSL_TIMEOUT_MS + 10_000;
    // Hex both ways, whatever configure() was given: the socket must carry every byte value.
    await this.client.send(`AT+QSSLCFG=${ctx},${conn},"dataformat",1,1`);
    const command = `AT+QSSLOPEN=${ctx},${conn},${quote(o.host)},${o.port},0`;
    const backend = new QuectelSocketBackend(this.client, ctx, conn, DEFAULT_SSL_TIMEOUT_MS);
    socket.attach(backend);
    backend.onProtocolError = (e) => socket.destroy(e);
    const stop = new AbortController();
    const opened = this.client.watchUrcs(['+QSSLOPEN'], { timeoutMs, signal: stop.signal, description: `${command} result` }, (line) => {
      const p = parseInfoLine(line).params;
      if (Number(p[0]) !== ctx || Number(p[1]) !== conn) return undefined;
      if (Number(p[2]) !== 0) throw new UrcError(command, line, Number(p[2]));
      return true;
    });
    opened.catch(() => {});
    try {
      await this.client.send(command, { expectPrefix: null, timeoutMs });
      await opened;
      // The module does not report the peer's address: the host when it is one.
    const ends = { ...(isIP(o.host) ? { remoteAddress: o.host } : {}), remotePort: o.port, ...(this.address ? { localAddress: this.address } : {}) };
      socket.established(ends);
    } catch (err) {
      // A failed open leaves nothing to close on the module.
      socket.detach();
      throw err instanceof UrcError ? await this.openFailure(err, { operation: 'connect', host: o.host, port: o.port, command }) : err;
    } finally {
      stop.abort();
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * +QSSLOPEN's <err> as a typed error (seed 004 chapter 4): -3 a certificate, -4 the key,
   * -5 the cipher suite or version (a plain port too), -7 the timer, -2 the connection — a
   * name lookup or a TCP connect, told apart by asking +QIDNSGIP.
   */
  private async openFailure(error: UrcError, f: Omit<NetworkFailure, 'moduleReport' | 'cause'>): Promise<unknown> {
    const full: NetworkFailure = { ...f, moduleReport: error.urc, cause: error };
    switch (error.code) {
      case QSSL_ERR.certificate:
        return new TlsHandshakeError('certificate', full);
      case QSSL_ERR.key:
        return new TlsHandshakeError('client-key', full);
      case QSSL_ERR.cipher:
        return new TlsHandshakeError('protocol', full);
      case QSSL_ERR.timeout:
        return new ConnectTimeoutError(full);
      case QSSL_ERR.connection:
        return socketOrDnsFailure((name) => this.resolve(name, { timeoutMs: 30_000 }), full);
      default:
        return error;
    }
  }
}
