import { SARA_R5_PREINSTALLED_ROOTS, type PreinstalledRoot } from './preinstalled-roots.js';

/** What a product's certificate manager (+USECMNG) accepts: counts, sizes, types, key sizes. */
export interface CertificateTable {
  /** +USECMNG <type> values: 0 CA, 1 client certificate, 2 private key, 3 server certificate, 4/5 where present. */
  types: number[];
  /** Entries of the user database, all types together. */
  maxEntries: number;
  /** Internal names of imported items. */
  maxNameLength: number;
  /** Internal names of pre-installed items (what remove / MD5 accept as a name). */
  maxPreinstalledNameLength: number;
  /** <data_size> of a stream import, and the size of an imported file. */
  maxDataSize: number;
  /** Decryption password of a PKCS#8 encrypted key. */
  maxPasswordLength: number;
  /** <filename> of an import from the file system. */
  maxFilenameLength: number;
  /**
   * Smallest keys +USECMNG imports. Seed 002 (the AT commands manual) says RSA at least
   * 1024 bits, ECDSA at least 192; seed 000 §3.1 says a handshake "can be successfully
   * performed" with RSA of at least 2048. The import follows the command's manual.
   */
  minRsaBits: number;
  minEcBits: number;
  /** Silence after which a stream import is aborted (+USECMNG op 0). */
  importGuardMs: number;
  /**
   * How +USECMNG=3 prints <expiration_date>: 'date' is "yyyy/mm/dd" of the first instant
   * the certificate is no longer valid (notAfter + 1 s: seed 002 lists thawte Primary
   * Root CA, notAfter 2036-07-16 23:59:59Z, as "2036/07/17"); 'date-time' is notAfter as
   * "yyyy/mm/dd hh:mm:ss" UTC (seed 000 §3.1, the pre-installed table of seed 002).
   */
  expiryFormat: 'date' | 'date-time';
  /** Roots the product carries from the factory; not removable, not listed by +USECMNG=3. */
  preinstalled: readonly PreinstalledRoot[];
  /**
   * +UFACTORY=<fs_op>,<nvm_op>: the values the product accepts, and those that erase the
   * user database at the next boot (SARA-R5: fs_op 2 deletes every FS file, nvm_op 2
   * restores the factory NVM; 1 is "not supported" for both).
   */
  factory: { fsOps: number[]; nvmOps: number[]; erasingFsOps: number[]; erasingNvmOps: number[] };
}

export const saraR5Certificates: CertificateTable = {
  types: [0, 1, 2, 3],
  // Seed 002: "Up to 10 certificates or private keys can be imported."
  maxEntries: 10,
  maxNameLength: 30,
  maxPreinstalledNameLength: 60,
  maxDataSize: 8192,
  maxPasswordLength: 128,
  maxFilenameLength: 63,
  minRsaBits: 1024,
  minEcBits: 192,
  importGuardMs: 20_000,
  // SARA-R5 prints date and time: seed 000 §3.1's capture ("2032/10/18 08:23:32") and the
  // pre-installed table of seed 002 ("2031/11/10 00:00:00", roots only SARA-R5 carries).
  expiryFormat: 'date-time',
  preinstalled: SARA_R5_PREINSTALLED_ROOTS,
  factory: { fsOps: [0, 2], nvmOps: [0, 2], erasingFsOps: [2], erasingNvmOps: [2] },
};

/**
 * SARA-R4 prints the date only: the Thawte example of seed 002 and seed 000 §3.3
 * ("2036/07/17"), the examples of the older firmware generation.
 */
export const saraR4Certificates: CertificateTable = { ...saraR5Certificates, expiryFormat: 'date' };
