/**
 * u-blox SARA-R5 (and family) driver: init, identity, attach through an internal PSD
 * profile (+UPSD/+UPSDA), DNS (+UDNSRN) and ping (+UPING).
 * Sequences follow ubxlib and the SARA-R4/R5 PS data application note (seed 000 §2.3).
 */
import type { AtClient, AtResponse, SendOptions } from '../at-client.js';
import { AtError, AtTimeoutError, UrcError } from '../errors.js';
import type { AttachOptions, AttachResult, CellularModem, ModemIdentity } from '../modem.js';
import { paramsOf, parseInfoLine, quote } from '../params.js';
import { matchesPrefix } from '../urc-prefix.js';
import type { ModemSocket } from '../socket/modem-socket.js';
import { UbloxCertificates } from './ublox/certificates.js';
import { connectUblox, udpUblox, type ConnectOptions } from './ublox/connect.js';
import { UbloxFiles } from './ublox/files.js';
import { UbloxFtp } from './ublox/ftp.js';
import { UbloxHttp } from './ublox/http.js';
import { UbloxMqttSn } from './ublox/mqttsn.js';
import { UbloxCoap } from './ublox/coap.js';
import { UbloxMqtt } from './ublox/mqtt.js';
import { UbloxSecurityProfiles } from './ublox/security-profiles.js';
import { UbloxTls } from './ublox/tls.js';
import type { UbloxUdpSocket } from './ublox/udp.js';
import { UbloxGpio } from './ublox/gpio.js';
import { UbloxGnss } from './ublox/gnss.js';
import { UbloxSecurity } from './ublox/security.js';
import { resolveFailure } from './ublox/network-errors.js';
import { connector, createConnection, openSocket, type SocketOpener } from '../socket/create-connection.js';

/** The ubxlib init sequence (u_cell_pwr.c); every command must answer OK. */
export const UBLOX_INIT_SEQUENCE: readonly string[] = ['ATE0', 'AT+CMEE=2', 'AT+UDCONF=1,0', 'ATI9', 'AT&C1', 'AT&D0', 'AT+CGEREP=1'];

export interface UbloxAttachOptions extends AttachOptions {
  /** PDP context to define and map (default 1). */
  cid?: number;
  /** Internal PSD profile (default 0). */
  profileId?: number;
}

export interface PingReply {
  seq: number;
  size: number;
  host: string;
  ip: string;
  ttl: number;
  /** Round trip time; -1 = no reply within the timeout, -2 = TTL too low. */
  rttMs: number;
}

/** `+UPSD=<p>,0,<type>` for the PDP type read back from `+CGDCONT?`. */
const PSD_IP_TYPE: Readonly<Record<string, number>> = { IP: 0, IPV6: 1, IPV4V6: 2 };

const DEFAULT_ATTACH_TIMEOUT_MS = 180_000;

/** Registration status in a `+CEREG` line, read response (`<n>,<stat>,...`) or URC (`<stat>,...`). */
export function ceregStat(line: string): number | undefined {
  const { params, quoted } = parseInfoLine(line);
  const raw = params.length >= 2 && !quoted[1] && params[1] !== '' ? params[1] : params[0];
  const stat = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(stat) ? stat : undefined;
}

const isRegistered = (stat: number | undefined): boolean => stat === 1 || stat === 5;

export class UbloxModem implements CellularModem {
  readonly vendor = 'u-blox' as const;
  readonly certificates: UbloxCertificates;
  readonly securityProfiles: UbloxSecurityProfiles;
  /** The module file system: upload, download, list, size, free, delete. */
  readonly files: UbloxFiles;
  /** The module's HTTP(S) client (+UHTTP/+UHTTPC), responses read back from its file system. */
  readonly http: UbloxHttp;
  /** The module's MQTT-SN client (+UMQTTSN/+UMQTTSNC), mqtt.js-shaped plus register and topic types. */
  readonly mqttsn: UbloxMqttSn;
  /** The module's CoAP client (+UCOAP, +UCOAPC). */
  readonly coap: UbloxCoap;
  /** The module's FTP(S) client (+UFTP/+UFTPC). */
  readonly ftp: UbloxFtp;
  /** The module's MQTT client (+UMQTT/+UMQTTC), mqtt.js-shaped. */
  readonly mqtt: UbloxMqtt;
  /** Vendor-neutral TLS slots: security profiles 0-4. */
  readonly tls: UbloxTls;
  /** The module's GPIO pads (+UGPIOC/+UGPIOR/+UGPIOW). */
  readonly gpio: UbloxGpio;
  /** The built-in GNSS receiver and CellLocate (+UGPS, +UGRMC..., +ULOC). */
  readonly gnss: UbloxGnss;
  /** The u-blox security suite: root of trust, seal, bootstrap, heartbeat (and the parts composed in ublox/security.ts). */
  readonly security: UbloxSecurity;

  constructor(readonly client: AtClient) {
    this.certificates = new UbloxCertificates(client);
    this.securityProfiles = new UbloxSecurityProfiles(client);
    this.files = new UbloxFiles(client);
    this.http = new UbloxHttp(client, this.files);
    this.mqttsn = new UbloxMqttSn(client);
    this.coap = new UbloxCoap(client);
    this.ftp = new UbloxFtp(client);
    this.mqtt = new UbloxMqtt(client);
    this.tls = new UbloxTls(this.securityProfiles);
    this.gpio = new UbloxGpio(client);
    this.gnss = new UbloxGnss(client);
    this.security = new UbloxSecurity(client);
  }

  /** The address of the last attach, the sockets' `localAddress`. */
  private address: string | undefined;
  private readonly open: SocketOpener<ConnectOptions> = (opts, socket) => connectUblox(this.client, this.certificates, this.securityProfiles, opts, socket, this.address);

  /** A TCP connection through the module, TLS per a security profile or inline material; a Node Duplex. */
  connect(opts: ConnectOptions): Promise<ModemSocket> {
    return openSocket(this.open, opts);
  }

  /** The same, synchronously (net.createConnection-style): a pending socket that emits 'connect' or 'error'. */
  createConnection(opts: ConnectOptions, onConnect?: () => void): ModemSocket {
    return createConnection(this.open, opts, onConnect);
  }

  /**
   * An http(s).Agent `createConnection` and undici `connect` in one: each connection the
   * library asks for opens through the module with `defaults` (e.g. `{ tls: { profile: 1 } }`).
   */
  connector(defaults: Omit<ConnectOptions, 'host' | 'port'> = {}): ReturnType<typeof connector> {
    return connector(this.open, (target) => ({ ...defaults, host: target.host, port: target.port }));
  }

  /** A UDP socket of the module. */
  udp(): Promise<UbloxUdpSocket> {
    return udpUblox(this.client);
  }

  /** Sends the ubxlib init sequence. */
  async init(): Promise<void> {
    for (const command of UBLOX_INIT_SEQUENCE) await this.client.send(command);
  }

  async identify(): Promise<ModemIdentity> {
    const manufacturer = await this.value('AT+CGMI');
    const model = await this.value('AT+CGMM');
    const revision = await this.value('AT+CGMR');
    const imei = await this.value('AT+CGSN');
    const imsi = await this.optional(() => this.value('AT+CIMI'));
    const iccid = await this.optional(() => this.value('AT+CCID'));
    return {
      manufacturer,
      model,
      revision,
      imei,
      ...(imsi !== undefined ? { imsi } : {}),
      ...(iccid !== undefined ? { iccid } : {}),
    };
  }

  /**
   * Radio off, define the context, radio on, wait for EPS registration (URCs and one
   * poll), read the assigned PDP type, map and activate PSD profile, wait for `+UUPSDA`.
   */
  async attach(opts: UbloxAttachOptions = {}): Promise<AttachResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
    const cid = opts.cid ?? 1;
    const profile = opts.profileId ?? 0;
    const deadline = Date.now() + timeoutMs;
    const left = (step: string): number => {
      const ms = deadline - Date.now();
      if (ms <= 0) throw new AtTimeoutError(`attach (${step})`, timeoutMs);
      return ms;
    };
    const send = (command: string, extra: SendOptions = {}): Promise<AtResponse> =>
      this.client.send(command, { timeoutMs: Math.min(left(command), 180_000), ...extra });

    // 1. Radio off (needed to change the context definition), unless it already is.
    const cfun = paramsOf((await send('AT+CFUN?')).lines, '+CFUN');
    if (cfun?.[0] !== '0') await send('AT+CFUN=0');
    await send(`AT+CGDCONT=${cid},"IPV4V6",${quote(opts.apn ?? '')}`);

    // 2. Radio on; registration is reported by +CEREG URCs (watched from before the
    //    radio comes on) or found by one poll, whichever comes first.
    let lastStat: number | undefined;
    const stop = new AbortController();
    const registered = this.client.watchUrcs(['+CEREG'], { timeoutMs: left('registration'), signal: stop.signal, description: '+CEREG registration' }, (line) => {
      lastStat = ceregStat(line) ?? lastStat;
      return isRegistered(lastStat) ? true : undefined;
    });
    registered.catch(() => {});
    try {
      await send('AT+CEREG=2');
      await send('AT+CFUN=1');
      const poll = await send('AT+CEREG?');
      for (const line of poll.lines) if (matchesPrefix(line, '+CEREG')) lastStat = ceregStat(line) ?? lastStat;
      if (!isRegistered(lastStat)) {
        await registered.catch((error: unknown) => {
          if (error instanceof AtTimeoutError) throw new AtTimeoutError('attach (network registration)', timeoutMs, [], `last +CEREG status ${lastStat ?? 'none'}`);
          throw error;
        });
      }
    } finally {
      stop.abort();
    }

    // 3. Read the PDP type and address the network assigned.
    const contexts = (await send('AT+CGDCONT?')).lines.map(parseInfoLine).filter((l) => l.prefix?.toUpperCase() === '+CGDCONT');
    const context = contexts.find((l) => Number(l.params[0]) === cid);
    if (!context) throw new AtError('AT+CGDCONT?', contexts.map((c) => c.params.join(',')), `AT+CGDCONT?: context ${cid} is not defined`);
    const pdpType = (context.params[1] ?? '').toUpperCase();
    const ipType = PSD_IP_TYPE[pdpType];
    if (ipType === undefined) throw new AtError('AT+CGDCONT?', [], `AT+CGDCONT?: unknown PDP type "${pdpType}" for context ${cid}`);
    const assigned = (context.params[3] ?? '').split(/\s+/)[0] ?? '';

    // 4. Map the PSD profile on the context, with the same IP type, and activate it.
    await send(`AT+UPSD=${profile},0,${ipType}`);
    await send(`AT+UPSD=${profile},100,${cid}`);
    const activate = `AT+UPSDA=${profile},3`;
    const stopActivation = new AbortController();
    const activated = this.client.watchUrcs(['+UUPSDA'], { timeoutMs: left('activation'), signal: stopActivation.signal, description: '+UUPSDA' }, (line) => {
      const [result, ip] = parseInfoLine(line).params;
      if (result !== '0') throw new UrcError(activate, line, Number(result));
      return ip || assigned;
    });
    activated.catch(() => {});
    try {
      await send(activate);
      const ip = await activated;
      this.address = ip;
      return { ip };
    } finally {
      stopActivation.abort();
    }
  }

  /** `AT+UDNSRN=0,"<name>"` -> `+UDNSRN: "<ip>"`. */
  async resolve(name: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const command = `AT+UDNSRN=0,${quote(name)}`;
    const response = await this.client.send(command, { timeoutMs: opts.timeoutMs ?? 70_000 }).catch((error: unknown) => {
      throw resolveFailure(error, name, command);
    });
    const ip = paramsOf(response.lines, '+UDNSRN')?.[0];
    if (!ip) throw new AtError(command, [...response.lines, response.finalLine], `${command}: no +UDNSRN address in the response`);
    return ip;
  }

  /**
   * `AT+UPING="<host>"[,<count>]`, then collects `count` (default 4) `+UUPING` replies;
   * `+UUPINGER: <code>` rejects with UrcError.
   */
  async ping(host: string, opts: { count?: number; timeoutMs?: number } = {}): Promise<PingReply[]> {
    const count = opts.count ?? 4;
    const command = opts.count === undefined ? `AT+UPING=${quote(host)}` : `AT+UPING=${quote(host)},${count}`;
    const replies: PingReply[] = [];
    const stop = new AbortController();
    const done = this.client.watchUrcs(
      ['+UUPING', '+UUPINGER'],
      { timeoutMs: opts.timeoutMs ?? 10_000 + count * 6_000, signal: stop.signal, description: `${command} replies` },
      (line) => {
        const { params } = parseInfoLine(line);
        if (matchesPrefix(line, '+UUPINGER')) throw new UrcError(command, line, Number(params[0]));
        const [seq, size, replyHost, ip, ttl, rtt] = params;
        replies.push({ seq: Number(seq), size: Number(size), host: replyHost ?? '', ip: ip ?? '', ttl: Number(ttl), rttMs: Number(rtt) });
        return replies.length >= count ? replies : undefined;
      },
    );
    done.catch(() => {});
    try {
      await this.client.send(command);
      return await done;
    } finally {
      stop.abort();
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The single value a query answers (`u-blox`, `+CCID: 89...`, `+CGSN: "35..."`). */
  private async value(command: string): Promise<string> {
    const response = await this.client.send(command);
    // A URC (e.g. +CGEV) may arrive inside an answer without prefix (+CIMI): the value is a
    // line with no prefix or with the command's own.
    const own = command.replace(/^AT/i, '').replace(/[=?].*$/, '').toUpperCase();
    const line = response.lines.find((l) => {
      const prefix = parseInfoLine(l).prefix?.toUpperCase();
      return prefix === undefined || prefix === own;
    });
    if (line === undefined) throw new AtError(command, [response.finalLine], `${command}: empty response`);
    const info = parseInfoLine(line);
    return info.prefix ? (info.params[0] ?? '') : line.replace(/^"(.*)"$/, '$1');
  }

  /** Runs a query the module may refuse (no SIM...): a refusal gives undefined. */
  private async optional(query: () => Promise<string>): Promise<string | undefined> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof AtError && !(error instanceof AtTimeoutError)) return undefined;
      throw error;
    }
  }
}
