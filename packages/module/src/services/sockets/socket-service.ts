import type { SocketTable } from '../../models/socket-table.js';
import type { TlsService } from '../tls/tls-service.js';

/** The module's sockets (TCP, UDP, secure). Placeholder until the socket service lands. */
export class SocketService {
  constructor(
    readonly table: SocketTable,
    readonly tls: TlsService,
  ) {}

  /** Power-off or reboot: every socket is gone. */
  closeAll(): void {}
}
