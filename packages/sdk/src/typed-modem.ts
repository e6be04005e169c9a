/**
 * The drivers by vendor, so what `openModem` returns carries each driver's own API
 * (`securityProfiles`, `files`, `http`, `connect({ directLink })` on u-blox) without casts:
 * name the vendor you expect (`openModem({ ..., vendor: 'u-blox' })`), or narrow the union
 * on `modem.vendor` / with the guards below.
 */
import { QuectelModem } from './drivers/quectel.js';
import { TelitModem } from './drivers/telit.js';
import { UbloxModem } from './drivers/ublox.js';
import type { ModemVendor } from './modem.js';

export interface ModemByVendor {
  'u-blox': UbloxModem;
  telit: TelitModem;
  quectel: QuectelModem;
}

/** Any driver, discriminated on `vendor`. */
export type AnyModem = ModemByVendor[ModemVendor];

/** The driver of vendor `V`. */
export type ModemOf<V extends ModemVendor> = ModemByVendor[V];

export const isUblox = (modem: { vendor: ModemVendor }): modem is UbloxModem => modem instanceof UbloxModem;
export const isTelit = (modem: { vendor: ModemVendor }): modem is TelitModem => modem instanceof TelitModem;
export const isQuectel = (modem: { vendor: ModemVendor }): modem is QuectelModem => modem instanceof QuectelModem;

/** True when `modem` is vendor `vendor`'s driver (narrows it to that driver). */
export function isVendor<V extends ModemVendor>(modem: { vendor: ModemVendor }, vendor: V): modem is ModemOf<V> {
  return modem.vendor === vendor;
}
