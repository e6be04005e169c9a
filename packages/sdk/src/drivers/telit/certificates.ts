import type { AtClient } from '../../at-client.js';
import { CmeError } from '../../errors.js';
import type { CertificateKind, ModemCertificates, StoredCertificate } from '../../modem.js';
import { toPem } from '../common.js';

/** #SSLSECDATA <DataType>: 0 client certificate, 1 CA certificate, 2 RSA private key. */
export const TELIT_DATA_TYPE: Readonly<Record<CertificateKind, number>> = { 'client-cert': 0, ca: 1, 'private-key': 2 };

/** The most a Telit module stores per entry (seed 003 §2.2.2). */
export const TELIT_MAX_SECURITY_DATA = 2047;

const CTRL_Z = Buffer.from([0x1a]);

/**
 * Telit security data (#SSLSECDATA) of secure socket 1: one entry of each kind. `name` is
 * the driver's label for the slot; the module keeps no names, so `list()` reports the label
 * given by this driver, or `ssl1-<kind>` for what was stored before.
 */
export class TelitCertificates implements ModemCertificates {
  private readonly labels = new Map<CertificateKind, string>();

  constructor(
    private readonly client: AtClient,
    private readonly ensureSsl: () => Promise<void>,
    readonly ssid = 1,
  ) {}

  /** PEM ended by Ctrl-Z; lines end in LF only, keys as PKCS#1, DER converted (seed 003 §3.3). */
  async import(kind: CertificateKind, name: string, data: string | Buffer): Promise<undefined> {
    const pem = Buffer.from(toPem(kind, data, 'pkcs1'), 'latin1');
    if (pem.length > TELIT_MAX_SECURITY_DATA) throw new RangeError(`${kind} is ${pem.length} bytes; Telit modules store at most ${TELIT_MAX_SECURITY_DATA}`);
    await this.ensureSsl();
    await this.client.send(`AT#SSLSECDATA=${this.ssid},1,${TELIT_DATA_TYPE[kind]},${pem.length}`, {
      prompt: { data: Buffer.concat([pem, CTRL_Z]), char: '>' },
      timeoutMs: 30_000,
    });
    this.labels.set(kind, name);
    return undefined;
  }

  /**
   * Reads the certificates back (#SSLSECDATA=<SSId>,2,<type>); a refusal means the slot is
   * empty. The private key is not listed: the module never gives it back.
   */
  async list(): Promise<StoredCertificate[]> {
    await this.ensureSsl();
    const out: StoredCertificate[] = [];
    for (const kind of ['client-cert', 'ca'] as const) {
      try {
        const r = await this.client.send(`AT#SSLSECDATA=${this.ssid},2,${TELIT_DATA_TYPE[kind]}`);
        if (r.lines.length > 0) out.push({ kind, name: this.labelOf(kind) });
      } catch (error) {
        if (!(error instanceof CmeError)) throw error;
      }
    }
    return out;
  }

  async remove(kind: CertificateKind, name: string): Promise<void> {
    const label = this.labels.get(kind);
    if (label !== undefined && label !== name) throw new TypeError(`the ${kind} slot holds "${label}", not "${name}"`);
    await this.ensureSsl();
    await this.client.send(`AT#SSLSECDATA=${this.ssid},0,${TELIT_DATA_TYPE[kind]}`);
    this.labels.delete(kind);
  }

  /** The label of what the slot holds, if this driver stored it. */
  label(kind: CertificateKind): string | undefined {
    return this.labels.get(kind);
  }

  private labelOf(kind: CertificateKind): string {
    return this.labels.get(kind) ?? `ssl${this.ssid}-${kind}`;
  }
}
