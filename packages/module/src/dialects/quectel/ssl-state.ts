import type { ModuleHost } from '../../module-host.js';

/** +QSSLCFG settings of one SSL context (contextID 1, one per connectID). */
export interface QsslConfig {
  /** 0 no authentication, 1 server, 2 server and client. */
  seclevel: number;
  sendFormat: number;
  recvFormat: number;
  /** Seconds, 10-300: connection and message delivery. */
  timeout: number;
  debug: number;
  /** PEM bytes as entered after '>' (their count is the <checksum> the module answers). */
  cacert?: Buffer;
  clientcert?: Buffer;
  clientkey?: Buffer;
}

/** A connectID in use: its socket in the socket service. */
export interface QsslConnection {
  socketId?: number;
  phase: 'opening' | 'open';
  /** The open was abandoned (closed by the host, timed out): its result is not reported. */
  abandoned: boolean;
}

export const defaultConfig = (): QsslConfig => ({ seclevel: 0, sendFormat: 0, recvFormat: 0, timeout: 90, debug: 0 });

/**
 * The dialect's RAM state: seed 004 says +QSSLCFG settings "take effect immediately" and
 * are "invalid after powering down", so they live here, not in the NVM; the certificates
 * reach the TLS service through the certificate store and a hidden security profile when a
 * connection opens (ssl.ts). A new module (a power-up) starts with the defaults.
 */
export class QsslState {
  readonly configs = new Map<number, QsslConfig>();
  readonly connections = new Map<number, QsslConnection>();

  config(connectId: number): QsslConfig {
    let c = this.configs.get(connectId);
    if (!c) {
      c = defaultConfig();
      this.configs.set(connectId, c);
    }
    return c;
  }

  connectIdOfSocket(socketId: number): number | undefined {
    for (const [conn, c] of this.connections) if (c.socketId === socketId) return conn;
    return undefined;
  }

  reset(): void {
    this.configs.clear();
    this.connections.clear();
  }
}

/** The module's +QSSL state; a power-off drops it ("invalid after powering down"). */
export function qsslState(module: ModuleHost): QsslState {
  return module.state('quectel.qssl', () => new QsslState());
}
