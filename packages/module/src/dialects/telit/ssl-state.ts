import type { TerminalSession } from '../../engine/session.js';
import type { SecureSocketTable } from '../../models/secure-socket-table.js';
import type { ModuleHost } from '../../module-host.js';

/** #SSLSECCFG. */
export interface SslSecurity {
  cipherSuite: number;
  authMode: number;
  /** 0 DER, 1 PEM. */
  certFormat: number;
  /** <cert_format> was given since power-on: only then does the read form show it (seed 003 §3.2). */
  formatGiven: boolean;
}

/** #SSLCFG, as given (pktSize 0 means automatic). */
export interface SslConfig {
  cid: number;
  pktSize: number;
  maxTo: number;
  defTo: number;
  txTo: number;
  /** SSLSRING presentation: 0 none, 1 `SSLSRING: 1,<unread>`. */
  ringMode: number;
}

/** The open connection of SSId 1. */
export interface SslConnection {
  socketId: number;
  host: string;
  port: number;
  /** <closureType> of #SSLD / #SSLFASTD: 1 keeps the session for a fast dial. */
  closureType: number;
  /** The terminal is in online mode on this connection now. */
  attached: boolean;
  /** The terminal already printed NO CARRIER for this connection (online mode). */
  carrierShown: boolean;
  /** The TLS session the handshake gave, for a fast dial after a remote close. */
  session?: Buffer;
}

/** What #SSLFASTD resumes: the peer and the TLS session of the last connection kept with closure type 1. */
export interface SavedSession {
  host: string;
  port: number;
  session: Buffer;
}

/**
 * State of Telit's single secure socket (SSId 1), per module: which AT instance enabled it
 * (seed 003 §3.1: SSL is bound to the instance that enabled it) and the connection it has
 * open live in RAM and are lost at reboot; its #SSLSECCFG/#SSLCFG settings are stored in
 * NVM as they are set (Telit's references: these values are saved without AT&W) and read
 * back at power-on; the security data themselves live in the certificate store.
 */
export interface SslChannel {
  /** The terminal that enabled SSId 1, undefined while disabled. */
  owner?: TerminalSession;
  security: SslSecurity;
  config: SslConfig;
  conn?: SslConnection;
  /** The last connection ended from the far side (or by inactivity) and no #SSLH/#SSLD followed. */
  remoteClosed: boolean;
  saved?: SavedSession;
}

export function secureSocketTable(module: ModuleHost): SecureSocketTable {
  const t = module.model.secureSocket;
  if (!t) throw new Error(`${module.model.id} has no secure socket table`);
  return t;
}

/** NVM namespace of the stored #SSLSECCFG/#SSLCFG settings. */
const SETTINGS_NVM = 'telit-ssl-settings';

interface StoredSettings {
  security: SslSecurity;
  config: SslConfig;
}

function factorySettings(module: ModuleHost): StoredSettings {
  const d = secureSocketTable(module).defaults;
  return {
    security: { cipherSuite: 0, authMode: 0, certFormat: 1, formatGiven: false },
    config: { cid: d.cid, pktSize: d.pktSize, maxTo: d.maxTo, defTo: d.defTo, txTo: d.txTo, ringMode: 0 },
  };
}

function fresh(module: ModuleHost): SslChannel {
  const stored = module.nvm.read<StoredSettings>(SETTINGS_NVM, factorySettings(module));
  return { security: { ...stored.security }, config: { ...stored.config }, remoteClosed: false };
}

/** Stores the channel's #SSLSECCFG/#SSLCFG settings: a set command saves them at once. */
export function saveSslSettings(module: ModuleHost, ch: SslChannel): void {
  module.nvm.write<StoredSettings>(SETTINGS_NVM, { security: ch.security, config: ch.config });
}

/** The module's channel; a power-off drops it (disabled, factory settings, no connection). */
export function sslChannel(module: ModuleHost): SslChannel {
  return module.state('telit.ssl-channel', () => fresh(module));
}

/** Internal names of the three security data items in the module's certificate store. */
export const SECURITY_DATA_NAMES: Record<number, { type: number; name: string }> = {
  // <DataType> 0 client certificate, 1 CA certificate, 2 RSA private key -> store types 1, 0, 2.
  0: { type: 1, name: 'SSL1-CLIENT-CERT' },
  1: { type: 0, name: 'SSL1-CA-CERT' },
  2: { type: 2, name: 'SSL1-CLIENT-KEY' },
};
