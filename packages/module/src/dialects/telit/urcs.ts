import type { VirtualModule } from '../../module.js';

/** Subscribes Telit's URC renderers to the module's service events. */
export function wireTelitUrcs(module: VirtualModule): void {
  void module;
}
