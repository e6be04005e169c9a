import { q } from '@modemlab/at';
import type { ModuleHost } from '../../module-host.js';
import { socketErrno } from './socket-errors.js';
import { socketOwner, socketOwners } from './socket-owners.js';

/**
 * Socket events as u-blox URCs, to the terminal that created the socket (socket-owners.ts). TCP data: +UUSORD with the unread total
 * (when data reaches an empty buffer, and after a partial read). UDP: +UUSORF per datagram
 * with its length. +UUSOCL once a closed socket's data has all been read (the id is free
 * again from then on). +UUSOCO: <s>,<socket error>, 0 on success.
 */
export function wireUbloxSocketUrcs(module: ModuleHost): void {
  const s = module.services.sockets;
  const owner = (id: number) => socketOwner(module, id);
  s.on('data', (e) => module.urc(e.protocol === 'tcp' ? `+UUSORD: ${e.id},${e.unread}` : `+UUSORF: ${e.id},${e.length}`, owner(e.id)));
  s.on('closed', ({ id }) => module.urc(`+UUSOCL: ${id}`, owner(id)));
  s.on('connect-result', ({ id, error }) => module.urc(`+UUSOCO: ${id},${socketErrno(error?.errno)}`, owner(id)));
  s.on('incoming', (e) => {
    // An accepted socket belongs to the terminal that owns the listener.
    const listenerOwner = owner(e.listener);
    if (listenerOwner) socketOwners(module).set(e.id, listenerOwner);
    module.urc(`+UUSOLI: ${e.id},${q(e.remote.address)},${e.remote.port},${e.listener},${q(e.local.address)},${e.local.port}`, listenerOwner);
  });
}
