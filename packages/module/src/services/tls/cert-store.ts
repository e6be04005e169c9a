import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { CertificateTable } from '../../models/certificate-table.js';
import type { NvmStore } from '../../nvm/store.js';
import { CertificateError, commonNameOf, keyFromDer, parseCertificate, parsePrivateKey, type ParsedItem } from './cert-der.js';
import { publicRootDer } from './public-roots.js';

export { CertificateError, type CertificateFailureReason } from './cert-der.js';

/** +USECMNG <type> values. */
export const CertificateType = { ca: 0, client: 1, key: 2, server: 3 } as const;

/** +USECPRF op 16: 0 all databases, 1 the user database, 2 the pre-installed one. */
export type CertificateDatabase = 'all' | 'user' | 'preinstalled';

export interface CertificateEntry {
  type: number;
  name: string;
  /** What is stored: a certificate's DER, a key's DER (an encrypted key stays encrypted). */
  der: Buffer;
  /** MD5 of `der`, lower-case hex (+USECMNG ops 0, 1, 4). */
  md5: string;
  /** Certificates: subject common name ('' when the subject has none) and notAfter. */
  commonName?: string;
  notAfter?: Date;
  /** Keys: an encrypted PKCS#8 key that needs the profile's password. */
  encrypted?: boolean;
  preinstalled: boolean;
}

interface StoredEntry {
  type: number;
  name: string;
  /** base64 DER */
  der: string;
}

interface CertificatesNvm {
  entries: StoredEntry[];
}

/** A +UFACTORY request waiting for the next boot. */
export interface FactoryRequest {
  fsOp: number;
  nvmOp: number;
}

const NS = 'certificates';
const FACTORY_NS = 'factory-restore';
const NO_FACTORY: FactoryRequest = { fsOp: 0, nvmOp: 0 };

const fail = (reason: CertificateError['reason'], message?: string): CertificateError => new CertificateError(reason, message);
const md5 = (der: Buffer): string => createHash('md5').update(der).digest('hex');

const preinstalledCache = new WeakMap<CertificateTable['preinstalled'], CertificateEntry[]>();

/** The table's pre-installed roots that Node carries, parsed once per process. */
function preinstalledOf(table: CertificateTable): CertificateEntry[] {
  let list = preinstalledCache.get(table.preinstalled);
  if (!list) {
    list = [];
    for (const root of table.preinstalled) {
      const der = publicRootDer(root.commonName);
      if (!der) continue;
      const x = new X509Certificate(der);
      list.push({ type: CertificateType.ca, name: root.name, der, md5: md5(der), commonName: commonNameOf(x), notAfter: new Date(x.validTo), preinstalled: true });
    }
    preinstalledCache.set(table.preinstalled, list);
  }
  return list;
}

/**
 * The module's certificate and key database (+USECMNG): the user database, kept in NVM
 * (DER as base64) so it survives reboots and restarts, and the product's read-only
 * pre-installed roots. Every import is checked completely before anything is written, so
 * a refused import leaves the database, including an entry of the same name, unchanged.
 */
export class CertificateStore {
  private entries: CertificateEntry[] = [];

  constructor(
    readonly nvm: NvmStore,
    readonly table: CertificateTable,
  ) {
    this.load();
  }

  // ---- the +USECMNG operations ------------------------------------------------------

  /**
   * Imports a certificate (types 0, 1, 3: X.509) or a private key (type 2) given as PEM or
   * DER; an existing entry of the same type and name is replaced. Returns the new entry.
   */
  import(type: number, name: string, data: Buffer, password?: string): CertificateEntry {
    this.checkType(type);
    if (name.length === 0 || name.length > this.table.maxNameLength) throw fail('bad-parameter', `name of ${name.length} characters`);
    if (password !== undefined && password.length > this.table.maxPasswordLength) throw fail('bad-parameter', 'password too long');
    if (data.length > this.table.maxDataSize) throw fail('too-large', `${data.length} bytes`);
    if (type === CertificateType.ca && preinstalledOf(this.table).some((e) => e.name === name)) throw fail('name-present', `${name} is pre-installed`);
    const parsed: ParsedItem = type === CertificateType.key ? parsePrivateKey(data, password, this.table) : parseCertificate(data, this.table);
    const at = this.entries.findIndex((e) => e.type === type && e.name === name);
    if (at < 0 && this.entries.length >= this.table.maxEntries) throw fail('database-full');
    const entry = toEntry(type, name, parsed.der);
    const next = [...this.entries];
    if (at < 0) next.push(entry);
    else next[at] = entry;
    this.save(next);
    return entry;
  }

  /** Removes an imported item; pre-installed roots are read-only. */
  remove(type: number, name: string): void {
    this.checkType(type);
    const at = this.entries.findIndex((e) => e.type === type && e.name === name);
    if (at < 0) {
      if (this.preinstalled(type).some((e) => e.name === name)) throw fail('read-only', `${name} is pre-installed`);
      throw fail('not-found', name);
    }
    this.save(this.entries.filter((_, i) => i !== at));
  }

  /** The user database (import order), or the pre-installed one; optionally of one type. */
  list(type?: number, db: Exclude<CertificateDatabase, 'all'> = 'user'): CertificateEntry[] {
    if (type !== undefined) this.checkType(type);
    const all = db === 'user' ? this.entries : preinstalledOf(this.table);
    return all.filter((e) => type === undefined || e.type === type);
  }

  /** MD5 (hex) of a stored item, user database first; throws 'not-found'. */
  md5(type: number, name: string): string {
    this.checkType(type);
    const e = this.get(type, name);
    if (!e) throw fail('not-found', name);
    return e.md5;
  }

  /** An entry by type and name from the chosen database(s), the user database first. */
  get(type: number, name: string, db: CertificateDatabase = 'all'): CertificateEntry | undefined {
    const user = db !== 'preinstalled' ? this.entries.find((e) => e.type === type && e.name === name) : undefined;
    return user ?? (db !== 'user' ? this.preinstalled(type).find((e) => e.name === name) : undefined);
  }

  // ---- lookups for the TLS service --------------------------------------------------

  /** DER of the trusted root named `name` (+USECPRF op 3) in the chosen database(s). */
  findCa(name: string, db: CertificateDatabase = 'all'): Buffer | undefined {
    return this.get(CertificateType.ca, name, db)?.der;
  }

  /** DER of every trusted root of the chosen database(s): validation without a named root. */
  allCas(db: CertificateDatabase = 'all'): Buffer[] {
    const user = db !== 'preinstalled' ? this.list(CertificateType.ca) : [];
    const pre = db !== 'user' ? preinstalledOf(this.table) : [];
    return [...user, ...pre].map((e) => e.der);
  }

  /** DER of the client certificate named `name` (+USECPRF op 5); only the user database has any. */
  clientCert(name: string, db: CertificateDatabase = 'all'): Buffer | undefined {
    return this.get(CertificateType.client, name, db)?.der;
  }

  /** DER of the server certificate named `name` (+USECPRF pinning). */
  serverCert(name: string, db: CertificateDatabase = 'all'): Buffer | undefined {
    return this.get(CertificateType.server, name, db)?.der;
  }

  /**
   * The client private key named `name` (+USECPRF op 6) as a KeyObject; `password`
   * (+USECPRF op 7) decrypts an encrypted PKCS#8 key. Undefined when there is no such
   * key; throws CertificateError 'bad-password' when an encrypted key does not open.
   */
  privateKey(name: string, password?: string, db: CertificateDatabase = 'all'): KeyObject | undefined {
    const e = this.get(CertificateType.key, name, db);
    return e ? keyFromDer(e.der, password) : undefined;
  }

  // ---- factory restore --------------------------------------------------------------

  /** +UFACTORY: remembered in NVM, acted on at the next boot; 0,0 cancels. */
  requestFactoryRestore(request: FactoryRequest): void {
    const { fsOps, nvmOps } = this.table.factory;
    if (!fsOps.includes(request.fsOp) || !nvmOps.includes(request.nvmOp)) throw fail('bad-parameter', 'factory restore not supported');
    this.nvm.write<FactoryRequest>(FACTORY_NS, { fsOp: request.fsOp, nvmOp: request.nvmOp });
  }

  get factoryRequest(): FactoryRequest {
    return this.nvm.read<FactoryRequest>(FACTORY_NS, NO_FACTORY);
  }

  /** Erases the user database (a factory restore). */
  erase(): void {
    this.save([]);
  }

  /** Boot: a pending factory restore that covers security data erases the user database. */
  powerOn(): void {
    const request = this.factoryRequest;
    if (request.fsOp !== 0 || request.nvmOp !== 0) {
      const { erasingFsOps, erasingNvmOps } = this.table.factory;
      if (erasingFsOps.includes(request.fsOp) || erasingNvmOps.includes(request.nvmOp)) this.erase();
      this.nvm.write<FactoryRequest>(FACTORY_NS, NO_FACTORY);
    }
    this.load();
  }

  // ---- internals --------------------------------------------------------------------

  private preinstalled(type: number): CertificateEntry[] {
    return type === CertificateType.ca ? preinstalledOf(this.table) : [];
  }

  private checkType(type: number): void {
    if (!this.table.types.includes(type)) throw fail('bad-parameter', `type ${type}`);
  }

  private load(): void {
    const stored = this.nvm.read<CertificatesNvm>(NS, { entries: [] });
    this.entries = stored.entries.map((s) => toEntry(s.type, s.name, Buffer.from(s.der, 'base64')));
  }

  private save(entries: CertificateEntry[]): void {
    this.nvm.write<CertificatesNvm>(NS, { entries: entries.map((e) => ({ type: e.type, name: e.name, der: e.der.toString('base64') })) });
    this.entries = entries;
  }
}

/** What the list shows is derived from the stored DER, never stored beside it. */
function toEntry(type: number, name: string, der: Buffer): CertificateEntry {
  const entry: CertificateEntry = { type, name, der, md5: md5(der), preinstalled: false };
  if (type === CertificateType.key) {
    try {
      keyFromDer(der, undefined);
    } catch (err) {
      if (err instanceof CertificateError) entry.encrypted = true;
    }
    return entry;
  }
  const x = new X509Certificate(der);
  entry.commonName = commonNameOf(x);
  entry.notAfter = new Date(x.validTo);
  return entry;
}
