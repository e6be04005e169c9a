import type { AtClient } from '../../at-client.js';
import { paramsOf, quote } from '../../params.js';

/** +USECPRF op codes (u-blox AT manual, security chapter). */
export const PROFILE_OP = {
  validation: 0,
  tlsVersion: 1,
  cipherSuite: 2,
  rootCa: 3,
  hostname: 4,
  clientCert: 5,
  clientKey: 6,
  keyPassword: 7,
  psk: 8,
  pskIdentity: 9,
  sni: 10,
  rotPsk: 11,
  pinning: 12,
  resumption: 13,
  ztp: 14,
  alpn: 15,
  database: 16,
} as const;

const TLS_VERSION = { any: 0, '1.0': 1, '1.1': 2, '1.2': 3, '1.3': 4 } as const;

export interface SecurityProfileOptions {
  /** 0 none, 1 root, 2 root and hostname, 3 root, hostname and dates. */
  validation?: 0 | 1 | 2 | 3;
  tlsVersion?: keyof typeof TLS_VERSION;
  /** A legacy suite number (Table 26), or one suite by its IANA code (e.g. 0xC02F). */
  cipherSuite?: number | { iana: number };
  rootCa?: string;
  hostname?: string;
  clientCert?: string;
  clientKey?: string;
  keyPassword?: string;
  /** Pre-shared key and identity, ASCII or hex strings. */
  psk?: { key: string; identity: string; hex?: boolean };
  /** Server name indication; defaults to `hostname` when that is given. */
  sni?: string;
  pinning?: { certificate: string; level: 0 | 1 | 2 };
  /** Session resumption on/off (op 13 tag 0). */
  resumption?: boolean;
  alpn?: string;
  /** 0 every database, 1 user only, 2 pre-installed only. */
  database?: 0 | 1 | 2;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** Security profiles through +USECPRF: one set command per option, as the module wants. */
export class UbloxSecurityProfiles {
  constructor(private readonly client: AtClient) {}

  /** Resets the profile to factory values. */
  async reset(id: number): Promise<void> {
    await this.client.send(`AT+USECPRF=${id}`);
  }

  async configure(id: number, o: SecurityProfileOptions): Promise<void> {
    const set = (op: number, ...values: Array<string | number>) => this.client.send(`AT+USECPRF=${id},${op},${values.join(',')}`);
    if (o.validation !== undefined) await set(PROFILE_OP.validation, o.validation);
    if (o.tlsVersion !== undefined) await set(PROFILE_OP.tlsVersion, TLS_VERSION[o.tlsVersion]);
    if (typeof o.cipherSuite === 'number') await set(PROFILE_OP.cipherSuite, o.cipherSuite);
    else if (o.cipherSuite) await set(PROFILE_OP.cipherSuite, 99, quote(hex2(o.cipherSuite.iana >> 8)), quote(hex2(o.cipherSuite.iana & 0xff)));
    if (o.rootCa !== undefined) await set(PROFILE_OP.rootCa, quote(o.rootCa));
    if (o.hostname !== undefined) await set(PROFILE_OP.hostname, quote(o.hostname));
    if (o.clientCert !== undefined) await set(PROFILE_OP.clientCert, quote(o.clientCert));
    if (o.clientKey !== undefined) await set(PROFILE_OP.clientKey, quote(o.clientKey));
    if (o.keyPassword !== undefined) await set(PROFILE_OP.keyPassword, quote(o.keyPassword));
    if (o.psk) {
      const type = o.psk.hex ? 1 : 0;
      await set(PROFILE_OP.psk, quote(o.psk.key), type);
      await set(PROFILE_OP.pskIdentity, quote(o.psk.identity), type);
    }
    // The name checked is the name asked for: a hostname goes out as SNI too (as tls.configure
    // does), unless `sni` says otherwise.
    const sni = o.sni ?? o.hostname;
    if (sni !== undefined) await set(PROFILE_OP.sni, quote(sni));
    if (o.pinning) await set(PROFILE_OP.pinning, quote(o.pinning.certificate), o.pinning.level);
    if (o.resumption !== undefined) await set(PROFILE_OP.resumption, 0, o.resumption ? 1 : 0);
    if (o.alpn !== undefined) await set(PROFILE_OP.alpn, quote(o.alpn));
    if (o.database !== undefined) await set(PROFILE_OP.database, o.database);
  }

  /** Reads one op code: the parameter values after `<profile>,<op>`. */
  async readOp(id: number, op: number, tag?: number): Promise<string[]> {
    const r = await this.client.send(`AT+USECPRF=${id},${op}${tag !== undefined ? `,${tag}` : ''}`);
    return (paramsOf(r.lines, '+USECPRF') ?? []).slice(2);
  }

  /** The profile's main settings as the module reports them. */
  async read(id: number): Promise<Record<keyof typeof PROFILE_OP, string[]>> {
    const out = {} as Record<keyof typeof PROFILE_OP, string[]>;
    for (const [name, op] of Object.entries(PROFILE_OP) as Array<[keyof typeof PROFILE_OP, number]>) {
      try {
        out[name] = await this.readOp(id, op, op === PROFILE_OP.resumption ? 0 : undefined);
      } catch {
        out[name] = [];
      }
    }
    return out;
  }
}
