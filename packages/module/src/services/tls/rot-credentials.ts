import type { TlsCredentials } from './tls-options.js';

/** What the root of trust adds to a handshake: an op 11 PSK, op 14 ZTP credentials. */
export interface RotTlsSources {
  rotPsk: NonNullable<TlsCredentials['rotPsk']>;
  ztp: NonNullable<TlsCredentials['ztp']>;
}

/** The certificate store's credentials plus the root of trust's (op 11, op 14). */
export function withRotCredentials(store: TlsCredentials, rot: RotTlsSources): TlsCredentials {
  return {
    findCa: (name, db) => store.findCa(name, db),
    allCas: (db) => store.allCas(db),
    clientCert: (name, db) => store.clientCert(name, db),
    privateKey: (name, password, db) => store.privateKey(name, password, db),
    serverCert: (name, db) => store.serverCert(name, db),
    rotPsk: () => rot.rotPsk(),
    ztp: (level) => rot.ztp(level),
  };
}
