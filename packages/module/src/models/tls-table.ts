/** What a product's security profiles (+USECPRF) and TLS stack accept. */
export interface TlsTable {
  /** Security profiles 0..count-1. */
  profiles: number;
  /** Secure connections open at once. */
  maxConcurrentSessions: number;
  /** Handshake inactivity timer. */
  handshakeInactivityMs: number;
}

export const saraR5Tls: TlsTable = { profiles: 5, maxConcurrentSessions: 4, handshakeInactivityMs: 60_000 };

export const saraR4Tls: TlsTable = { profiles: 5, maxConcurrentSessions: 2, handshakeInactivityMs: 60_000 };
