import type { ModuleHost } from '../../module-host.js';
import { sslChannel } from './ssl-state.js';

/**
 * Telit's unsolicited results: on SSId 1, SSLSRING when data arrives in command mode
 * (#SSLCFG <SSLSRingMode> 1), and NO CARRIER when the peer closed the connection and
 * nothing is left to read (seed 003 §4.5.2 note); only the AT instance that enabled SSL
 * sees them.
 */
export function wireTelitUrcs(module: ModuleHost): void {
  const { sockets } = module.services;
  sockets.on('data', (e) => {
    const ch = sslChannel(module);
    const conn = ch.conn;
    if (!conn || conn.socketId !== e.id || conn.attached || e.cause !== 'arrival' || ch.config.ringMode !== 1) return;
    const owner = ch.owner;
    if (owner) module.urc(`SSLSRING: 1,${e.unread}`, owner);
  });
  sockets.on('closed', (e) => {
    const ch = sslChannel(module);
    const conn = ch.conn;
    if (!conn || conn.socketId !== e.id || e.cause === 'local') return;
    ch.conn = undefined;
    ch.remoteClosed = true;
    // The TLS session stays good for a fast dial when the connection was opened to keep it.
    const session = conn.closureType === 1 ? conn.session : undefined;
    ch.saved = session ? { host: conn.host, port: conn.port, session } : undefined;
    if (conn.carrierShown) return;
    const owner = ch.owner;
    if (owner) module.urc('NO CARRIER', owner);
  });
}
