import type { AtClient } from '../../at-client.js';
import { UnsupportedFeatureError } from '../../errors.js';
import type { ModemTls, TlsSettings } from '../../modem.js';
import type { TelitCertificates } from './certificates.js';

export type TelitFamily = 'ge' | 'he';

/**
 * #SSLSECCFG <cipher_suite> per family (seed 003 Tab. 1), keyed by IANA code. 0 proposes
 * every suite of the family (except NULL on HE910).
 */
export const TELIT_CIPHER_SUITES: Readonly<Record<TelitFamily, ReadonlyMap<number, number>>> = {
  // GC, GE/GL, GT: RC4-MD5, RC4-SHA, AES256-SHA
  ge: new Map([
    [0x0004, 1],
    [0x0005, 2],
    [0x0035, 3],
  ]),
  // HE910/UE910: RC4-MD5, RC4-SHA, AES128-SHA, NULL-SHA
  he: new Map([
    [0x0004, 1],
    [0x0005, 2],
    [0x002f, 3],
    [0x0002, 4],
  ]),
};

/** The one secure socket's security settings (#SSLSECCFG): auth mode 0 none, 1 server, 2 server and client. */
export class TelitTls implements ModemTls {
  readonly profiles = [1] as const;

  constructor(
    private readonly client: AtClient,
    private readonly certificates: TelitCertificates,
    private readonly family: () => Promise<TelitFamily>,
    private readonly ensureSsl: () => Promise<void>,
  ) {}

  async configure(profile: number, s: TlsSettings): Promise<void> {
    if (profile !== 1) throw new RangeError(`Telit modules have one secure socket, SSId 1, not ${profile}`);
    if (s.hostname !== undefined) throw new UnsupportedFeatureError('tls.hostname', 'Telit #SSLSECCFG has no server name check');
    if ((s.clientCert === undefined) !== (s.clientKey === undefined)) throw new TypeError('mutual TLS needs both clientCert and clientKey');
    if (s.clientCert !== undefined && s.ca === undefined) throw new TypeError('Telit client authentication (auth mode 2) also checks the server: give a CA');
    for (const [kind, name] of [['ca', s.ca], ['client-cert', s.clientCert], ['private-key', s.clientKey]] as const) {
      const held = this.certificates.label(kind);
      if (name !== undefined && held !== undefined && held !== name) throw new TypeError(`secure socket 1 holds ${kind} "${held}", not "${name}": import it first`);
    }
    const family = await this.family();
    let suite = 0;
    if (s.cipherSuite !== undefined) {
      const n = TELIT_CIPHER_SUITES[family].get(s.cipherSuite);
      if (n === undefined) throw new UnsupportedFeatureError(`cipher suite 0x${s.cipherSuite.toString(16).padStart(4, '0')}`, `the ${family === 'ge' ? 'GC/GE/GL/GT' : 'HE910/UE910'} family has no cipher suite 0x${s.cipherSuite.toString(16).padStart(4, '0')}`);
      suite = n;
    }
    const auth = s.clientCert !== undefined ? 2 : s.ca !== undefined ? 1 : 0;
    await this.ensureSsl();
    await this.client.send(`AT#SSLSECCFG=${profile},${suite},${auth}`);
  }
}
