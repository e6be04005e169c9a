import type { VirtualModule } from '../module.js';
import { ModuleSettings } from './settings.js';

/** Options of the simulated network (operator name, delays, address pool...). */
export interface NetworkOptions {
  [key: string]: unknown;
}

/**
 * Vendor-neutral behaviour shared by every dialect. Services never format AT text; they
 * expose state and emit events that dialects turn into responses and URCs.
 */
export interface ModuleServices {
  settings: ModuleSettings;
  /** Power-up: load NVM, start registration. */
  powerOn(): void;
  /** Power-down or reboot: RAM state is lost. */
  powerOff(): void;
  close(): Promise<void>;
}

export function createServices(module: VirtualModule, _network: NetworkOptions): ModuleServices {
  const settings = new ModuleSettings();
  return {
    settings,
    powerOn() {
      const profile = module.nvm.read<{ ipr?: number } | null>('at-profile', null);
      if (profile?.ipr !== undefined) settings.ipr = profile.ipr;
    },
    powerOff() {
      settings.reset();
    },
    async close() {},
  };
}
