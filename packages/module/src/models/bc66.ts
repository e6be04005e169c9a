import { noUserFileSystem } from './file-system-table.js';
import type { CertificateTable } from './certificate-table.js';
import type { SocketTable } from './socket-table.js';
import type { TlsTable } from './tls-table.js';
import { BC66_CERTIFICATE_RULES } from './certificate-rules.js';
import type { ModelTable } from './types.js';

/**
 * Seed 004 Table 2, in its order. 0x00FF (TLS_EMPTY_RENEGOTIATION_INFO_SCSV) is a
 * signalling value, not a suite: OpenSSL signals secure renegotiation by itself.
 * 0x000A and 0x008B (3DES) are listed but OpenSSL 3 cannot run them: offered by nobody.
 */
export const BC66_CIPHER_SUITES = [0x003d, 0x0035, 0x003c, 0x002f, 0x000a, 0x00af, 0x008d, 0x00ae, 0x008c, 0x008b] as const;

/**
 * The SSL contexts of +QSSLCFG run on hidden security profiles, one per <connectID>
 * (0-5): the host never sees them; the Quectel dialect writes them before each +QSSLOPEN.
 * Seed 004 Table 1: TLS 1.0, 1.1 and 1.2.
 */
const bc66Tls: TlsTable = {
  profiles: 6,
  maxConcurrentSessions: 6,
  handshakeInactivityMs: 300_000,
  opCodes: [],
  versions: { 0: { min: 'TLSv1', max: 'TLSv1.2' } },
  legacyCipherSuites: [],
  ianaCipherSuite: false,
  ianaCipherList: false,
  maxCipherList: 0,
  cipherSuites: BC66_CIPHER_SUITES,
  defaultCipherSuites: BC66_CIPHER_SUITES,
  pskIdentityHex: false,
  // mbedTLS clients send the host name they were given (our choice: the seed is silent).
  sniFromHost: true,
  sessionTags: [],
  sessionTypes: [],
  localEncryptionSessionTags: [],
  localEncryptionSessionTypes: [],
  maxSessionData: 0,
  sessionDataGuardMs: 20_000,
  certificates: BC66_CERTIFICATE_RULES,
};

/**
 * Certificates entered with +QSSLCFG are imported into the store under generated names
 * when a connection opens: three per <connectID>. No pre-installed roots.
 */
const bc66Certificates: CertificateTable = {
  types: [0, 1, 2],
  maxEntries: 18,
  maxNameLength: 30,
  maxPreinstalledNameLength: 30,
  maxDataSize: 4096,
  maxPasswordLength: 0,
  maxFilenameLength: 0,
  minRsaBits: 1024,
  minEcBits: 192,
  importGuardMs: 20_000,
  expiryFormat: 'date',
  preinstalled: [],
  factory: { fsOps: [0], nvmOps: [0], erasingFsOps: [], erasingNvmOps: [] },
};

/**
 * Seed 004: connectIDs 0-5; at most 1460 bytes per +QSSLSEND (730 in hex). The connect
 * and close limits are the +QSSLCFG "timeout" maximum (300 s); the dialect applies the
 * context's own timeout on the module clock.
 */
const bc66Sockets: SocketTable = {
  count: 6,
  maxWrite: 1460,
  maxWriteHex: 730,
  maxRead: 1300,
  maxReadHex: 650,
  rxBuffer: 8192,
  txBuffer: 16384,
  maxDatagrams: 16,
  connectTimeoutMs: 300_000,
  closeTimeoutMs: 10_000,
};

/** Quectel BC66: LTE Cat-NB1/NB2 (NB-IoT only), seed 004. */
export const bc66: ModelTable = {
  id: 'bc66',
  vendor: 'Quectel',
  dialect: 'quectel',
  fileSystem: noUserFileSystem,
  identity: {
    manufacturer: 'Quectel_Ltd',
    model: 'Quectel_BC66',
    revision: 'BC66NBR01A10',
    appVersion: 'BC66NBR01A10',
    imeiTac: '86677304',
    svn: '01',
    atiLines: ['Quectel_Ltd', 'Quectel_BC66', 'Revision: BC66NBR01A10'],
  },
  limits: { maxLineLength: 1100, cidMin: 0, cidMax: 10, maxActiveContexts: 2, psdProfiles: 1 },
  network: {
    rats: [8],
    actByRat: { 8: 9 },
    copsActs: [9],
    defaultIpv4v6Grant: 'IP',
    defaultMnoProfile: 0,
    mnoProfiles: [0],
    bands: { 8: [1, 2, 3, 4, 5, 8, 12, 13, 17, 18, 19, 20, 25, 26, 28, 66, 70, 85] },
    psd: { typeMustMatch: false, defaultIpType: 'ipv4v6-prefer-v4', defaultCid: 1, cidMin: 1, cidMax: 10 },
  },
  timing: { rebootMs: 3000 },
  certificates: bc66Certificates,
  tls: bc66Tls,
  sockets: bc66Sockets,
  cgdcontTrailer: '0,0,0,0,0,0',
};
