/** The socket errors live with the dialer every client shares; sockets re-export them. */
export { errnoOf, SocketError, type SocketErrno } from '../net/errors.js';
