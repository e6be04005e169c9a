import { EventEmitter } from 'node:events';
import type { NvmStore } from '../nvm/store.js';

export interface Greeting {
  enabled: boolean;
  text: string;
}

/** Where the built-in GNSS receiver's data goes: a bit map of outputs and an IP server. */
export interface GnssRouting {
  outputs: number;
  port: number;
  server: string;
}

interface DeviceNvm {
  greeting: Greeting;
  gnss: GnssRouting;
  lwm2mEnabled: boolean;
}

const DEFAULTS: DeviceNvm = {
  greeting: { enabled: false, text: '' },
  gnss: { outputs: 0, port: 0, server: '' },
  // u-blox ships LwM2M client on some MNO profiles; the lab default is off.
  lwm2mEnabled: false,
};

/**
 * Small device settings kept in NVM: the greeting shown at boot, GNSS data routing and
 * whether the embedded LwM2M client runs. At power-up it announces the greeting, which
 * the dialect prints on every terminal.
 */
export class DeviceConfig extends EventEmitter<{ greeting: [{ text: string }] }> {
  constructor(private readonly nvm: NvmStore) {
    super();
  }

  get greeting(): Greeting {
    return this.stored().greeting;
  }

  get gnss(): GnssRouting {
    return this.stored().gnss;
  }

  get lwm2mEnabled(): boolean {
    return this.stored().lwm2mEnabled;
  }

  setGreeting(g: Greeting): void {
    this.change((s) => (s.greeting = { ...g }));
  }

  setGnss(g: GnssRouting): void {
    this.change((s) => (s.gnss = { ...g }));
  }

  setLwm2m(enabled: boolean): void {
    this.change((s) => (s.lwm2mEnabled = enabled));
  }

  powerOn(): void {
    const g = this.greeting;
    if (g.enabled) this.emit('greeting', { text: g.text });
  }

  private change(fn: (s: DeviceNvm) => void): void {
    this.nvm.update<DeviceNvm>('device', structuredClone(DEFAULTS), (s) => {
      fn(s);
    });
  }

  private stored(): DeviceNvm {
    return { ...structuredClone(DEFAULTS), ...this.nvm.read<Partial<DeviceNvm>>('device', {}) };
  }
}
