import { q } from '@modemlab/at';
import type { ModuleHost } from '../../module-host.js';
import { socketErrno } from './socket-errors.js';

/**
 * Socket events as u-blox URCs, for every terminal. TCP data: +UUSORD with the unread total
 * (when data reaches an empty buffer, and after a partial read). UDP: +UUSORF per datagram
 * with its length. +UUSOCL once a closed socket's data has all been read (the id is free
 * again from then on). +UUSOCO: <s>,<socket error>, 0 on success.
 */
export function wireUbloxSocketUrcs(module: ModuleHost): void {
  const s = module.services.sockets;
  s.on('data', (e) => module.urc(e.protocol === 'tcp' ? `+UUSORD: ${e.id},${e.unread}` : `+UUSORF: ${e.id},${e.length}`));
  s.on('closed', ({ id }) => module.urc(`+UUSOCL: ${id}`));
  s.on('connect-result', ({ id, error }) => module.urc(`+UUSOCO: ${id},${socketErrno(error?.errno)}`));
  s.on('incoming', (e) => module.urc(`+UUSOLI: ${e.id},${q(e.remote.address)},${e.remote.port},${e.listener},${q(e.local.address)},${e.local.port}`));
}
