import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import type { ModemCertificates } from '../../modem.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';

/** +USECMNG <type>: what the certificate manager stores. */
export const CERTIFICATE_TYPES = { ca: 0, 'client-cert': 1, 'private-key': 2, 'server-cert': 3 } as const;
export type CertificateType = keyof typeof CERTIFICATE_TYPES;

const TYPE_BY_LIST_TAG: Record<string, CertificateType> = { CA: 'ca', CC: 'client-cert', PK: 'private-key', SC: 'server-cert' };

export interface CertificateEntry {
  type: CertificateType;
  /** Same as `type` (the vendor-neutral `StoredCertificate` field). */
  kind: CertificateType;
  name: string;
  /** Subject common name, for certificates. */
  commonName?: string;
  /** Expiry as the module prints it (yyyy/mm/dd), for certificates. */
  expiry?: string;
}

/** The module's certificate manager, through +USECMNG. */
export class UbloxCertificates implements ModemCertificates {
  constructor(private readonly client: AtClient) {}

  /** Imports PEM or DER from the serial stream (op 0); resolves to the MD5 of the stored DER. */
  async import(type: CertificateType, name: string, data: Buffer | string, opts: { password?: string; timeoutMs?: number } = {}): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const password = opts.password !== undefined ? `,${quote(opts.password)}` : '';
    const command = `AT+USECMNG=0,${CERTIFICATE_TYPES[type]},${quote(name)},${bytes.length}${password}`;
    const r = await this.client.send(command, { prompt: { data: bytes, char: '>' }, timeoutMs: opts.timeoutMs ?? 30_000 });
    return this.md5From(command, r.lines);
  }

  /** Imports from a file of the module file system (op 1); resolves to the MD5 of the stored DER. */
  async importFile(type: CertificateType, name: string, filename: string, opts: { password?: string } = {}): Promise<string> {
    const password = opts.password !== undefined ? `,${quote(opts.password)}` : '';
    const command = `AT+USECMNG=1,${CERTIFICATE_TYPES[type]},${quote(name)},${quote(filename)}${password}`;
    const r = await this.client.send(command);
    return this.md5From(command, r.lines);
  }

  async remove(type: CertificateType, name: string): Promise<void> {
    await this.client.send(`AT+USECMNG=2,${CERTIFICATE_TYPES[type]},${quote(name)}`);
  }

  async md5(type: CertificateType, name: string): Promise<string> {
    const command = `AT+USECMNG=4,${CERTIFICATE_TYPES[type]},${quote(name)}`;
    const r = await this.client.send(command);
    return this.md5From(command, r.lines);
  }

  /** Every stored entry, or those of one type. */
  async list(type?: CertificateType): Promise<CertificateEntry[]> {
    const command = type === undefined ? 'AT+USECMNG=3' : `AT+USECMNG=3,${CERTIFICATE_TYPES[type]}`;
    const r = await this.client.send(command, { expectPrefix: null });
    const entries: CertificateEntry[] = [];
    for (const line of r.lines) {
      const [tag, name, commonName, expiry] = parseInfoLine(line).params;
      const kind = TYPE_BY_LIST_TAG[(tag ?? '').trim()];
      if (!kind || name === undefined) continue;
      entries.push({ type: kind, kind, name, ...(commonName ? { commonName } : {}), ...(expiry ? { expiry } : {}) });
    }
    return entries;
  }

  private md5From(command: string, lines: string[]): string {
    const md5 = paramsOf(lines, '+USECMNG')?.[3];
    if (!md5) throw new AtError(command, lines, `${command}: no MD5 in the response`);
    return md5;
  }
}
