import type { TerminalSession } from '../../engine/session.js';
import type { ModuleHost } from '../../module-host.js';

/**
 * Which terminal created each socket: its URCs (+UUSORD, +UUSORF, +UUSOCL, +UUSOCO,
 * +UUSOLI) go to that terminal only. With one UART that is every terminal there is; with
 * CMUX it is the channel that ran +USOCR (docs/architecture.md, "CMUX: URC routing").
 * RAM state: a reboot drops it with the sockets.
 */
export function socketOwners(module: ModuleHost): Map<number, TerminalSession> {
  return module.state('ublox.socket-owners', () => new Map<number, TerminalSession>());
}

/** The terminal a socket's URC goes to; undefined (every terminal) when its owner is gone. */
export function socketOwner(module: ModuleHost, id: number): TerminalSession | undefined {
  return socketOwners(module).get(id);
}

/** A terminal closed: its sockets' URCs go to every terminal from now on. */
export function releaseSocketOwner(module: ModuleHost, session: TerminalSession): void {
  const owners = socketOwners(module);
  for (const [id, owner] of owners) if (owner === session) owners.delete(id);
}
