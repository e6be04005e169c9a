/**
 * The vendor-neutral face of a cellular module; the u-blox, Telit and Quectel drivers
 * implement it. What a vendor lacks raises `UnsupportedFeatureError`, never a silent no-op.
 */
import type { AtClient } from './at-client.js';
import type { ConnectorCallback, ConnectorOptions } from './socket/create-connection.js';
import type { ModemSocket } from './socket/modem-socket.js';

export type ModemVendor = 'u-blox' | 'telit' | 'quectel';

export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  imsi?: string;
  iccid?: string;
}

export interface AttachOptions {
  /**
   * Access point name of the data context. Omitted: the network's default (u-blox and
   * Telit define the context with an empty APN; the BC66 keeps its default bearer).
   */
  apn?: string;
  /** Time allowed for the whole attach (radio on, registration, PDP activation). */
  timeoutMs?: number;
}

export interface AttachResult {
  /** The address the network assigned to the activated context. */
  ip: string;
}

/** What a module stores for TLS: a trusted root, the client's certificate, the client's key. */
export type CertificateKind = 'ca' | 'client-cert' | 'private-key';

export interface StoredCertificate {
  /** u-blox also stores server certificates (pinning). */
  kind: CertificateKind | 'server-cert';
  /** The module's name for it (u-blox), or the driver's name for the slot (see each driver). */
  name: string;
}

/**
 * Certificates and keys in the module.
 * - u-blox: a named store (+USECMNG); profiles refer to entries by name.
 * - Telit: one entry of each kind per secure socket (#SSLSECDATA, SSId 1); `name` is kept
 *   by the driver as the label of that slot.
 * - Quectel BC66: no store; material belongs to one SSL connection (+QSSLCFG) and is lost
 *   at power-down. `import` keeps it in the driver; `tls.configure` writes it.
 */
export interface ModemCertificates {
  /**
   * Stores PEM (or DER) as `kind` under `name`. Resolves with what the module reports of
   * it where it reports something (u-blox: the MD5 of the DER), else undefined.
   */
  import(kind: CertificateKind, name: string, data: string | Buffer): Promise<string | undefined>;
  /** What the module holds; `UnsupportedFeatureError` where it cannot tell. */
  list(): Promise<StoredCertificate[]>;
  remove(kind: CertificateKind, name: string): Promise<void>;
}

/** One TLS configuration slot: u-blox security profile 0-4, Telit SSId 1, Quectel connectID 0-5. */
export interface TlsSettings {
  /** Name of the trusted root (checked: the server's chain must end at it). */
  ca?: string;
  /** Names of the client certificate and key: mutual TLS. */
  clientCert?: string;
  clientKey?: string;
  /** Check the server's name too (u-blox only); also sent as SNI. */
  hostname?: string;
  /** One cipher suite by IANA code (e.g. 0x002F); vendors map it to their own numbering. */
  cipherSuite?: number;
}

export interface ModemTls {
  /** Slots this module has (ids `connect({ tls: { profile } })` accepts). */
  readonly profiles: readonly number[];
  configure(profile: number, settings: TlsSettings): Promise<void>;
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS with a configured slot. */
  tls?: { profile: number };
  timeoutMs?: number;
}

export interface CellularModem {
  readonly vendor: ModemVendor;
  readonly client: AtClient;
  readonly certificates: ModemCertificates;
  readonly tls: ModemTls;
  /** The driver's init sequence (echo off, verbose errors...). */
  init(): Promise<void>;
  identify(): Promise<ModemIdentity>;
  attach(opts?: AttachOptions): Promise<AttachResult>;
  /** Resolves a host name with the module's DNS; returns the address. */
  resolve(name: string, opts?: { timeoutMs?: number }): Promise<string>;
  /** A TCP connection through the module (TLS with `tls`), as a Node Duplex. */
  connect(opts: ConnectOptions): Promise<ModemSocket>;
  /**
   * The same, synchronously, as net.createConnection: a pending socket (`connecting`) that
   * emits 'connect', or 'error' with the typed error. For a library's stream factory
   * (mqtt.js `new MqttClient(() => modem.createConnection(...), opts)`).
   */
  createConnection(opts: ConnectOptions, onConnect?: () => void): ModemSocket;
  /**
   * An http(s).Agent `createConnection` and an undici `connect` in one: every connection the
   * library asks for opens through the module with `defaults` (the TLS slot).
   */
  connector(defaults: Omit<ConnectOptions, 'host' | 'port'>): (options: ConnectorOptions, callback?: ConnectorCallback) => ModemSocket;
  close(): Promise<void>;
}
