import type { CertificateTable } from './certificate-table.js';
import type { HttpTable } from './http-table.js';
import type { MqttTable } from './mqtt-table.js';
import type { MuxTable } from './mux-table.js';
import type { FileSystemTable } from './file-system-table.js';
import type { SecureSocketTable } from './secure-socket-table.js';
import type { SocketTable } from './socket-table.js';
import type { TlsTable } from './tls-table.js';
import type { GpioTable } from './gpio-table.js';
import type { SecurityServiceTable } from './security-service-table.js';
import type { SecurityKeysTable } from './security-keys-table.js';
import type { C2cTable } from './c2c-table.js';

/** The AT language a product speaks; `dialects/index.ts` resolves it to the handlers. */
export type DialectId = 'ublox' | 'telit' | 'quectel';

/** IP family of an internal profile: IPv4, IPv6, or dual stack with a preferred family. */
export type ProfileIpType = 'ipv4' | 'ipv6' | 'ipv4v6-prefer-v4' | 'ipv4v6-prefer-v6';

/**
 * A product is data: identity strings, limits and defaults. Code never asks which product
 * it runs; it reads the table.
 */
export interface ModelTable {
  id: string;
  vendor: string;
  dialect: DialectId;
  identity: {
    manufacturer: string;
    model: string;
    /** +CGMR answer. */
    revision: string;
    /** ATI9 answer. */
    appVersion: string;
    /** First 8 digits (TAC) of generated IMEIs. */
    imeiTac: string;
    /** Software version number: the last two digits of the IMEISV. */
    svn: string;
    /** Type approval / product version shown by ATI (lines). */
    atiLines: string[];
  };
  limits: {
    /**
     * Longest command line. The manuals say 1024 characters, yet they also document
     * +USOWR/+USOST lines carrying 1024 characters of data (512 bytes in hex) after the
     * command and its parameters, so the limit leaves room for those: 1100.
     */
    maxLineLength: number;
    /** +CGDCONT cids allowed. */
    cidMin: number;
    cidMax: number;
    /** Active PDP contexts at once. */
    maxActiveContexts: number;
    /** PSD profiles 0..n-1 (+UPSD). */
    psdProfiles: number;
    /**
     * The UART receive buffer: host input held while a command runs; beyond it bytes are
     * dropped (and logged). No product documents its size: ours is 16 KiB, above the longest
     * command line plus the largest binary payload a host may type ahead of a prompt.
     */
    inputBufferBytes: number;
    /**
     * Silence after which a text prompt (`>` of #SSLSECDATA in PEM mode, +QSSLCFG
     * "cacert", #SSLSEND, +QSSLSEND) ends with the command's error. Not documented for any
     * of them: ours is 60 s, time to paste a certificate by hand.
     */
    promptIdleMs: number;
    /** The rates +IPR accepts (bit/s; 0 autobauding), as +IPR=? lists them. */
    baudRates: readonly number[];
  };
  network: {
    /** RATs the product has, as +URAT values; the first is the default. */
    rats: number[];
    /** +COPS AcT reported for each +URAT value. */
    actByRat: Record<number, number>;
    /** The 27.007 <AcT>s +COPS accepts: the access technologies the radio has (0 GSM, 2 UTRAN, 7 E-UTRAN/LTE-M, 9 NB-IoT). */
    copsActs: number[];
    /** What a network gives an IPV4V6 context by default (the seed's example: only IPv4). */
    defaultIpv4v6Grant: 'IP' | 'IPV6' | 'IPV4V6';
    /** Registration activates cid 1 (LTE attach; the default). GSM/UMTS products activate contexts on request only. */
    attachActivatesDefaultBearer?: boolean;
    defaultMnoProfile: number;
    mnoProfiles: number[];
    /**
     * +UBANDMASK? lists only the masks of the RATs +URAT has enabled (SARA-R5); without it
     * every RAT's masks are listed (SARA-R4).
     */
    bandmaskReadsEnabledRatsOnly?: boolean;
    /** LTE bands per +URAT value (7 Cat-M1, 8 NB-IoT): the factory band masks. */
    bands: Record<number, number[]>;
    /** Internal PSD profiles (+UPSD). */
    psd: {
      /** The profile's IP type must equal the context's assigned type (SARA-R5 "01B" on; R4 has no mapping check). */
      typeMustMatch: boolean;
      defaultIpType: ProfileIpType;
      /** Context a fresh profile maps onto, and the range +UPSD op 100 accepts. */
      defaultCid: number;
      cidMin: number;
      cidMax: number;
    };
  };
  timing: {
    /** Silence after +CFUN=15/16 while the module reboots. */
    rebootMs: number;
  };
  certificates: CertificateTable;
  tls: TlsTable;
  sockets: SocketTable;
  /** HTTP client (+UHTTP); absent on products without one. */
  http?: HttpTable;
  /** MQTT client (+UMQTT); absent on products without one. */
  mqtt?: MqttTable;
  /** The module file system: quota, names, transfer guard timer. */
  fileSystem: FileSystemTable;
  /** The single secure socket of Telit's #SSL* commands, where the product has one. */
  secureSocket?: SecureSocketTable;
  /** A built-in GNSS receiver (+UGPS; SARA-R510M8S). */
  gnss?: boolean;
  /** GPIO pads (+UGPIOC/+UGPIOR/+UGPIOW, +USIO); absent on products without them. */
  gpio?: GpioTable;
  /** 27.010 multiplexer (+CMUX); absent on products without one. */
  mux?: MuxTable;
  /** The u-blox security service link (seal, bootstrap, heartbeats); absent on products without it. */
  securityService?: SecurityServiceTable;
  /** RoT key services (local data, PSK, E2E, ZTP credentials); absent on products without them. */
  securityKeys?: SecurityKeysTable;
  /** Chip-to-chip security (+USECC2C); absent on products without it. */
  c2c?: C2cTable;
  /** Commands of the dialect this product lacks. */
  excludedCommands?: string[];
  /** +CGDCONT read trailer after the address. */
  cgdcontTrailer: string;
}
