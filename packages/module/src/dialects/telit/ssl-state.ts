import type { TerminalSession } from '../../engine/session.js';
import type { VirtualModule } from '../../module.js';

/**
 * RAM state of Telit's single secure socket (SSId 1), per module: which AT instance
 * enabled it (seed 003 §3.1: SSL is bound to the instance that enabled it) and the
 * connection it has open. Lost at reboot.
 */
export interface SslChannel {
  /** The terminal that enabled SSId 1, undefined while disabled. */
  owner?: TerminalSession;
}

const channels = new WeakMap<VirtualModule, SslChannel>();

export function sslChannel(module: VirtualModule): SslChannel {
  let c = channels.get(module);
  if (!c) {
    c = {};
    channels.set(module, c);
  }
  return c;
}

/** Power-off: the channel is disabled and its connection gone. */
export function resetSslChannel(module: VirtualModule): void {
  channels.delete(module);
}
