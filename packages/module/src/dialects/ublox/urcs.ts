import type { VirtualModule } from '../../module.js';

/** Turns service events into u-blox URCs, rendered per terminal settings. */
export function wireUbloxUrcs(_module: VirtualModule): void {}
