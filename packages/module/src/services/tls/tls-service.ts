import type { Socket } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { TlsTable } from '../../models/tls-table.js';
import type { CertificateStore } from './cert-store.js';
import type { SecurityProfiles } from './profiles.js';

export interface SecureConnectRequest {
  profileId: number;
  /** Host name as the application gave it (SNI, hostname check). */
  host: string;
  port: number;
  /** The connected TCP socket to secure. */
  socket: Socket;
}

export type TlsFailureReason = 'session-cap' | 'handshake' | 'verification' | 'timeout' | 'closed';

export class TlsFailure extends Error {
  constructor(
    readonly reason: TlsFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

/**
 * The only place that turns a security profile into node:tls and runs handshakes.
 * Placeholder: a plain handshake without the profile, until profiles land.
 */
export class TlsService {
  private active = 0;

  constructor(
    readonly table: TlsTable,
    readonly certificates: CertificateStore,
    readonly profiles: SecurityProfiles,
  ) {}

  get activeSessions(): number {
    return this.active;
  }

  connect(req: SecureConnectRequest): Promise<TLSSocket> {
    if (this.active >= this.table.maxConcurrentSessions) return Promise.reject(new TlsFailure('session-cap'));
    return new Promise((resolve, reject) => {
      const tls = connect({ socket: req.socket, servername: req.host, rejectUnauthorized: false });
      this.active++;
      tls.once('close', () => this.active--);
      tls.once('secureConnect', () => resolve(tls));
      tls.once('error', (err) => reject(new TlsFailure('handshake', err.message)));
    });
  }
}
