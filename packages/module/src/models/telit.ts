import { noUserFileSystem } from './file-system-table.js';
import type { CertificateTable } from './certificate-table.js';
import { geFamilySecureSocket, heFamilySecureSocket } from './secure-socket-table.js';
import type { SocketTable } from './socket-table.js';
import type { TlsTable } from './tls-table.js';
import { TELIT_CERTIFICATE_RULES } from './certificate-rules.js';
import { telitMux } from './mux-table.js';
import type { ModelTable } from './types.js';

/**
 * Telit's SSL block keeps three items (client certificate, CA certificate, RSA key) of at
 * most 2047 bytes each (seed 003 §2.2.2). Keys of 1024 bits were common in 2013: the
 * minimum is 1024.
 */
const telitCertificates: CertificateTable = {
  types: [0, 1, 2],
  maxEntries: 3,
  maxNameLength: 30,
  maxPreinstalledNameLength: 60,
  maxDataSize: 2047,
  maxPasswordLength: 0,
  maxFilenameLength: 0,
  minRsaBits: 1024,
  minEcBits: 192,
  importGuardMs: 20_000,
  expiryFormat: 'date',
  preinstalled: [],
  factory: { fsOps: [], nvmOps: [], erasingFsOps: [], erasingNvmOps: [] },
};

/**
 * One hidden security profile (0) that #SSLSECCFG and #SSLSECDATA fill; the TLS service
 * runs it. Seed 003 lists "TLS v1 Cipher Suites" only: TLS 1.0, nothing else.
 */
const telitTls: TlsTable = {
  profiles: 1,
  maxConcurrentSessions: 1,
  handshakeInactivityMs: 10_000,
  opCodes: [],
  versions: { 0: { min: 'TLSv1', max: 'TLSv1' } },
  legacyCipherSuites: [],
  ianaCipherSuite: true,
  ianaCipherList: true,
  maxCipherList: 4,
  cipherSuites: [0x0002, 0x0004, 0x0005, 0x002f, 0x0035],
  defaultCipherSuites: [],
  pskIdentityHex: false,
  sniFromHost: false,
  sessionTags: [0, 1, 2],
  sessionTypes: [0],
  localEncryptionSessionTags: [],
  localEncryptionSessionTypes: [],
  maxSessionData: 0,
  sessionDataGuardMs: 20_000,
  certificates: TELIT_CERTIFICATE_RULES,
};

/** Telit modules keep a handful of plain sockets (#SD, connection ids 1-6) besides the SSL one. */
const telitSockets: SocketTable = {
  count: 7,
  maxWrite: 1500,
  maxWriteHex: 750,
  maxRead: 1500,
  maxReadHex: 750,
  rxBuffer: 16384,
  txBuffer: 16384,
  maxDatagrams: 16,
  connectTimeoutMs: 120_000,
  closeTimeoutMs: 10_000,
};

const telitLimits = { maxLineLength: 1100, cidMin: 1, cidMax: 5, maxActiveContexts: 1, psdProfiles: 0 };

/** GE910-QUAD (GC/GE/GL/GT families, seed 003): GSM/GPRS, software 13.00.xx3. */
export const ge910: ModelTable = {
  id: 'ge910',
  vendor: 'Telit',
  dialect: 'telit',
  fileSystem: noUserFileSystem,
  identity: {
    manufacturer: 'Telit',
    model: 'GE910-QUAD',
    revision: '13.00.003',
    appVersion: '13.00.003',
    imeiTac: '35618705',
    svn: '03',
    atiLines: ['Telit'],
  },
  limits: telitLimits,
  network: {
    // 27.007 <AcT> 0: GSM; the radio has one RAT, reported as AcT 0.
    rats: [0],
    actByRat: { 0: 0 },
    // GSM only: an LTE or UMTS <AcT> is refused.
    copsActs: [0],
    defaultIpv4v6Grant: 'IP',
    attachActivatesDefaultBearer: false,
    defaultMnoProfile: 0,
    mnoProfiles: [0],
    bands: { 0: [] },
    psd: { typeMustMatch: false, defaultIpType: 'ipv4', defaultCid: 1, cidMin: 1, cidMax: 5 },
  },
  certificates: telitCertificates,
  tls: telitTls,
  sockets: telitSockets,
  mux: telitMux,
  secureSocket: geFamilySecureSocket,
  timing: { rebootMs: 3000 },
  cgdcontTrailer: '0,0',
};

/** HE910 (HE910/UE910 families, seed 003): HSPA, software 12.00.xx4. */
export const he910: ModelTable = {
  ...ge910,
  id: 'he910',
  identity: {
    manufacturer: 'Telit',
    model: 'HE910',
    revision: '12.00.004',
    appVersion: '12.00.004',
    imeiTac: '35380605',
    svn: '04',
    atiLines: ['Telit'],
  },
  // UMTS with GSM fallback: +COPS takes <AcT> 0 (GSM) and 2 (UTRAN).
  network: { ...ge910.network, rats: [2], actByRat: { 2: 2 }, copsActs: [0, 2], bands: { 2: [] } },
  secureSocket: heFamilySecureSocket,
  // Seed 003 §4.4: "this command is not provided by the HE910/UE910 families".
  excludedCommands: ['#SSLFASTD'],
};
