export type { UartAttachable } from './types.js';
export { serveTcp, BUSY_LINE, HANDOVER_GRACE_MS, type TcpOptions, type TcpListener } from './tcp.js';
export { servePty, SocatMissingError, type PtyOptions, type PtyListener } from './pty.js';
export { connectInProcess } from './in-process.js';
export { duplexPair } from './duplex-pair.js';
