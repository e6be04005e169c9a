/**
 * Telit GC/GE/GL/GT and HE910/UE910 driver (seed 003): identity, attach with +CGDCONT
 * cid 1 and #SGACT, DNS with #QDNS, security data (#SSLSECDATA), security settings
 * (#SSLSECCFG) and the secure socket in command mode (#SSLD/#SSLSENDEXT/#SSLRECV/#SSLH).
 */
import type { AtClient } from '../at-client.js';
import { AtError, CmeError, TlsHandshakeError, UnsupportedFeatureError, type NetworkFailure } from '../errors.js';
import type { AttachOptions, AttachResult, CellularModem, ConnectOptions, ModemIdentity } from '../modem.js';
import { paramsOf, parseInfoLine, quote } from '../params.js';
import { isIP } from 'node:net';
import { connector, createConnection, openSocket, type SocketOpener } from '../socket/create-connection.js';
import type { ModemSocket } from '../socket/modem-socket.js';
import { deadline, optionalValue, queryValue, waitForRegistration } from './common.js';
import { socketOrDnsFailure } from './lookup-failure.js';
import { TelitCertificates } from './telit/certificates.js';
import { TelitSocketBackend } from './telit/socket-backend.js';
import { TelitTls, type TelitFamily } from './telit/tls.js';

/** #SSLD's SSL errors (seed 003 §6) the driver types. */
export const TELIT_SSL_CME = { socket: 832, securityData: 837, handshake: 839 } as const;
const TELIT_SSL_CME_TEXT: Readonly<Record<number, string>> = {
  832: 'SSL socket error',
  837: 'SSL certs and keys wrong or not stored',
  839: 'SSL error during handshake',
};

export const TELIT_INIT_SEQUENCE: readonly string[] = ['ATE0', 'AT+CMEE=2'];

/** #SSLCFG: cid 1, packet size 300, inactivity 90 s, default timeout 10 s, tx timeout 5 s, SSLSRING with the length. */
export const TELIT_SSLCFG = { cid: 1, pktSize: 300, maxTo: 90, defTo: 100, txTo: 50, ringMode: 1 } as const;

const DEFAULT_ATTACH_TIMEOUT_MS = 180_000;

export class TelitModem implements CellularModem {
  readonly vendor = 'telit' as const;
  readonly certificates: TelitCertificates;
  readonly tls: TelitTls;
  private sslEnabled = false;
  private familyOf: Promise<TelitFamily> | undefined;

  constructor(readonly client: AtClient) {
    const ensureSsl = () => this.ensureSsl();
    this.certificates = new TelitCertificates(client, ensureSsl);
    this.tls = new TelitTls(client, this.certificates, () => this.family(), ensureSsl);
  }

  async init(): Promise<void> {
    for (const command of TELIT_INIT_SEQUENCE) await this.client.send(command);
    try {
      await this.ensureSsl();
    } catch (error) {
      // Over CMUX one AT instance owns the secure socket; on the others #SSLEN=1,1 answers
      // 835 "SSL already activated". They work without it (TLS calls there get that error).
      if (!(error instanceof CmeError && (error.code === 835 || /already activated/i.test(error.text ?? '')))) throw error;
    }
  }

  async identify(): Promise<ModemIdentity> {
    const manufacturer = await queryValue(this.client, 'AT+CGMI');
    const model = await queryValue(this.client, 'AT+CGMM');
    const revision = await queryValue(this.client, 'AT+CGMR');
    const imei = await queryValue(this.client, 'AT+CGSN');
    const imsi = await optionalValue(() => queryValue(this.client, 'AT+CIMI'));
    const iccid = await optionalValue(() => queryValue(this.client, 'AT#CCID'));
    return { manufacturer, model, revision, imei, ...(imsi !== undefined ? { imsi } : {}), ...(iccid !== undefined ? { iccid } : {}) };
  }

  /** GC/GE/GL/GT or HE910/UE910, from +CGMM: they number cipher suites differently. */
  family(): Promise<TelitFamily> {
    this.familyOf ??= queryValue(this.client, 'AT+CGMM').then((m) => (/^(HE|UE)9\d\d/i.test(m) ? 'he' : 'ge'));
    return this.familyOf;
  }

  /**
   * Seed 003 §2.1: the secure socket uses cid 1 only. Define it, wait for packet-domain
   * registration (+CGREG), activate with #SGACT=1,1, which answers the address.
   */
  async attach(opts: AttachOptions = {}): Promise<AttachResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
    const left = deadline('attach', timeoutMs);
    // A second attach (another run of the program) finds context 1 active: the module refuses
    // to redefine an active context ("context already activated"), so it is kept as it is
    // when it already has the APN asked for, and deactivated first when it does not.
    let active = await this.contextActive(left('#SGACT?'));
    if (active && opts.apn !== undefined && (await this.contextApn(left('+CGDCONT?'))) !== opts.apn) {
      await this.client.send('AT#SGACT=1,0', { timeoutMs: Math.min(left('#SGACT=1,0'), 150_000) });
      active = false;
    }
    if (!active) await this.client.send(`AT+CGDCONT=1,"IP",${quote(opts.apn ?? '')}`, { timeoutMs: left('+CGDCONT') });
    await waitForRegistration(this.client, '+CGREG', left('registration'));
    if (!active) active = await this.contextActive(left('#SGACT?'));
    if (active) {
      const ip = paramsOf((await this.client.send('AT+CGPADDR=1', { timeoutMs: left('+CGPADDR') })).lines, '+CGPADDR')?.[1];
      if (!ip) throw new AtError('AT+CGPADDR=1', [], 'AT+CGPADDR=1: no address for the active context 1');
      this.address = ip;
      return { ip };
    }
    const command = 'AT#SGACT=1,1';
    const r = await this.client.send(command, { timeoutMs: Math.min(left('#SGACT'), 150_000) });
    const ip = paramsOf(r.lines, '#SGACT')?.[0];
    if (!ip) throw new AtError(command, [...r.lines, r.finalLine], `${command}: no address in the response`);
    this.address = ip;
    return { ip };
  }

  /** Whether context 1 is active (`#SGACT: 1,1`). */
  private async contextActive(timeoutMs: number): Promise<boolean> {
    const state = await this.client.send('AT#SGACT?', { timeoutMs });
    return state.lines.map(parseInfoLine).some((l) => l.prefix?.toUpperCase() === '#SGACT' && l.params[0] === '1' && l.params[1] === '1');
  }

  /** The APN context 1 is defined with (`+CGDCONT: 1,"IP","<apn>",...`), or undefined. */
  private async contextApn(timeoutMs: number): Promise<string | undefined> {
    const r = await this.client.send('AT+CGDCONT?', { timeoutMs });
    return r.lines.map(parseInfoLine).find((l) => l.prefix?.toUpperCase() === '+CGDCONT' && l.params[0] === '1')?.params[2];
  }

  /** `AT#QDNS="<name>"` -> `#QDNS: "<name>","<ip>"`. */
  async resolve(name: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const command = `AT#QDNS=${quote(name)}`;
    const r = await this.client.send(command, { timeoutMs: opts.timeoutMs ?? 70_000 });
    const ip = paramsOf(r.lines, '#QDNS')?.[1];
    if (!ip) throw new AtError(command, [...r.lines, r.finalLine], `${command}: no address in the response`);
    return ip;
  }

  /**
   * Opens the secure socket in command mode (#SSLD ... ,1) with the settings of
   * `tls.configure(1, ...)`. Telit's plain sockets (#SD) are not driven here.
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
  private readonly open: SocketOpener<ConnectOptions> = (o, socket) => this.openSecureSocket(o, socket);

  private async openSecureSocket(o: ConnectOptions, socket: ModemSocket): Promise<void> {
    if (!o.tls) throw new UnsupportedFeatureError('connect without tls', 'the Telit driver opens secure sockets (#SSLD) only');
    const ssid = o.tls.profile;
    if (ssid !== 1) throw new RangeError(`Telit modules have one secure socket, SSId 1, not ${ssid}`);
    await this.ensureSsl();
    const c = TELIT_SSLCFG;
    await this.client.send(`AT#SSLCFG=${ssid},${c.cid},${c.pktSize},${c.maxTo},${c.defTo},${c.txTo},${c.ringMode}`);
    const backend = new TelitSocketBackend(this.client, ssid);
    socket.attach(backend);
    const command = `AT#SSLD=${ssid},${o.port},${quote(o.host)},0,1`;
    try {
      await this.client.send(command, { timeoutMs: o.timeoutMs ?? 120_000 });
      // The module does not report the peer's address: the host when it is one.
    const ends = { ...(isIP(o.host) ? { remoteAddress: o.host } : {}), remotePort: o.port, ...(this.address ? { localAddress: this.address } : {}) };
      socket.established(ends);
    } catch (err) {
      socket.detach();
      throw err instanceof CmeError ? await this.openFailure(err, { operation: 'connect', host: o.host, port: o.port, command }) : err;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * #SSLD's SSL error as a typed error (seed 003 §6): 839 the handshake, 837 the security
   * data, 832 the socket — a name lookup or a TCP connect, told apart by asking #QDNS.
   */
  private async openFailure(error: CmeError, f: Omit<NetworkFailure, 'moduleReport' | 'cause'>): Promise<unknown> {
    // +CMEE=2 (the init sequence) answers the text: find its number.
    const text = error.text?.trim().toLowerCase();
    const code = error.code ?? Number(Object.entries(TELIT_SSL_CME_TEXT).find(([, t]) => t.toLowerCase() === text)?.[0]);
    const full: NetworkFailure = { ...f, moduleReport: error.final ?? `+CME ERROR: ${code}`, cause: error };
    if (code === TELIT_SSL_CME.handshake) return new TlsHandshakeError('handshake', full);
    if (code === TELIT_SSL_CME.securityData) return new TlsHandshakeError('security-data', full);
    if (code === TELIT_SSL_CME.socket) return socketOrDnsFailure((name) => this.resolve(name, { timeoutMs: 30_000 }), full);
    return error;
  }

  /** #SSLEN=1,1 once: every other #SSL setting is refused until the secure socket is enabled. */
  private async ensureSsl(): Promise<void> {
    if (this.sslEnabled) return;
    const state = paramsOf((await this.client.send('AT#SSLEN?')).lines, '#SSLEN');
    if (state?.[1] !== '1') await this.client.send('AT#SSLEN=1,1');
    this.sslEnabled = true;
  }
}
