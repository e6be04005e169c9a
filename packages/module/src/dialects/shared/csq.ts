import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { NetworkView } from './host-view.js';

/** What the vendors' +CSQ differ by. */
export interface CsqOptions {
  /**
   * When the module reports a level instead of `99,99`: 'in-coverage' (radio on and a cell in
   * reach, registered or not: u-blox, Telit) or 'registered' (BC66).
   */
  measuresWhen: 'in-coverage' | 'registered';
  /** The <ber> printed with a level: 99 "not known" (Cat-M1 has none), 0 on the BC66. */
  ber: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

/** The serving cell can be measured: radio on and in coverage (registered or not). */
export const inCoverage = (m: NetworkView): boolean => m.services.network.radioOn && m.services.network.hasCoverage;

/** 27.007 <rssi> of a level in dBm: -113 dBm = 0, 2 dB steps, 31 = -51 dBm or more. */
export const rssiIndex = (dbm: number): number => clamp((dbm + 113) / 2, 0, 31);

/** +CSQ: `+CSQ: <rssi>,<ber>` from the lab's signal level, `99,99` when nothing can be measured. */
export function csqCommand(o: CsqOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CSQ',
      action(ctx) {
        const m = ctx.module;
        const measurable = o.measuresWhen === 'registered' ? m.services.network.registered : inCoverage(m);
        ctx.info(measurable ? `+CSQ: ${rssiIndex(m.services.network.options.rssi)},${o.ber}` : '+CSQ: 99,99');
      },
      test(ctx) {
        ctx.info('+CSQ: (0-31,99),(0-7,99)');
      },
    },
  ]);
  return def!;
}
