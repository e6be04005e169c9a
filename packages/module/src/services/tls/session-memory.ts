import type { NvmStore } from '../../nvm/store.js';
import { buildSession, type SessionFields } from './session-der.js';

/** What the module keeps of a session-ID session beside the ID and master secret the host sees. */
interface RememberedSession {
  version: number;
  cipher: number;
  /** OpenSSL session flags (extended master secret). */
  flags: number;
  /** The server certificate of the full handshake, base64 DER: node:tls re-checks it on resume. */
  peer?: string;
}

const NAMESPACE = 'tls-sessions';
/** Server certificates of type 11 tickets (sent without one), keyed by the ticket data's hash. */
const TICKET_PEERS = 'tls-ticket-peers';
/** Session IDs remembered across reboots, the newest kept. */
const CAPACITY = 16;

/**
 * +USECPRF op 13 tag 2 hands the host only the session ID and master secret, and the host
 * may set them back after a reboot. OpenSSL resumes only a session whose cipher suite and
 * version match the server's, so the module keeps those (and the server certificate) in
 * NVM, keyed by session ID, for the sessions it reported.
 */
export class SessionMemory {
  constructor(private readonly nvm: NvmStore) {}

  remember(sessionIdB64: string, f: SessionFields): void {
    this.nvm.update<Record<string, RememberedSession>>(NAMESPACE, {}, (all) => {
      delete all[sessionIdB64];
      all[sessionIdB64] = { version: f.version, cipher: f.cipher, flags: f.flags ?? 1, ...(f.peerCertificate ? { peer: f.peerCertificate.toString('base64') } : {}) };
      const ids = Object.keys(all);
      for (const old of ids.slice(0, Math.max(0, ids.length - CAPACITY))) delete all[old];
    });
  }

  /**
   * Type 11 data goes to the host without the server certificate (to keep the command line
   * short); the module keeps that certificate in NVM so that a ticket set back after a power
   * cycle still validates on resumption.
   */
  rememberTicketPeer(ticketHash: string, peer: Buffer): void {
    this.nvm.update<Record<string, string>>(TICKET_PEERS, {}, (all) => {
      delete all[ticketHash];
      all[ticketHash] = peer.toString('base64');
      const keys = Object.keys(all);
      for (const old of keys.slice(0, Math.max(0, keys.length - CAPACITY))) delete all[old];
    });
  }

  ticketPeer(ticketHash: string): Buffer | undefined {
    const peer = this.nvm.read<Record<string, string>>(TICKET_PEERS, {})[ticketHash];
    return peer === undefined ? undefined : Buffer.from(peer, 'base64');
  }

  /** A session to offer for the ID and master secret the host set, if the module made that session. */
  rebuild(sessionIdB64: string, masterSecretB64: string): { der: Buffer; peer?: Buffer } | undefined {
    const known = this.nvm.read<Record<string, RememberedSession>>(NAMESPACE, {})[sessionIdB64];
    if (!known) return undefined;
    const peer = known.peer ? Buffer.from(known.peer, 'base64') : undefined;
    const der = buildSession({
      version: known.version,
      cipher: known.cipher,
      flags: known.flags,
      sessionId: Buffer.from(sessionIdB64, 'base64'),
      masterKey: Buffer.from(masterSecretB64, 'base64'),
      ...(peer ? { peerCertificate: peer } : {}),
    });
    return { der, ...(peer ? { peer } : {}) };
  }
}
