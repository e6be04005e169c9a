import { saraR5v1C2c } from './c2c-table.js';
import { saraR5 } from './sara-r5.js';
import type { ModelTable } from './types.js';

/**
 * u-blox SARA-R510M8S with the 00B firmware: the SARA-R5 in every table but chip-to-chip
 * security, which speaks V1 (notes c2c-and-host-libraries.md §1.2/§1.6: the pairing answers
 * the key alone, no HMAC key, no confirmation step, +USECC2C ops 0-3, frames hashed with an
 * unkeyed SHA-256 then encrypted). The revision string is ours
 * (the notes name the variant, not its firmware string).
 */
export const saraR5v00b: ModelTable = {
  ...saraR5,
  id: 'sara-r5-00b',
  identity: {
    ...saraR5.identity,
    model: 'SARA-R510M8S',
    revision: '02.06',
    appVersion: '02.06,A00.01',
    atiLines: ['Manufacturer: u-blox', 'Model: SARA-R510M8S', 'Revision: 02.06', 'SVN: 01', 'IMEI: {imei}'],
  },
  c2c: saraR5v1C2c,
};
