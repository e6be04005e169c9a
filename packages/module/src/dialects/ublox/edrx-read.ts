import { q } from '@modemlab/at';
import { defineCommands } from '../../engine/registry.js';

/** +URAT value -> 27.007 <AcT-type>: LTE-M (7) is E-UTRAN WB-S1 (4), NB-IoT (8) is NB-S1 (5). */
const ACT_TYPE_OF_RAT: Record<number, number> = { 7: 4, 8: 5 };

/**
 * The paging time window the simulated network grants, when eDRX is granted: "0000" (the
 * shortest, 1.28 s on LTE-M). Decision: the network grants exactly the eDRX cycle the module
 * requested (the operator has no eDRX policy of its own yet).
 */
const GRANTED_PTW = '0000';

/** +CEDRXRDP (3GPP 27.007 §7.41): the eDRX parameters in use on the serving cell. */
export const edrxReadCommands = defineCommands(import.meta.url, [
  {
    name: '+CEDRXRDP',
    action(ctx) {
      const { network, radio, powerSaving } = ctx.module.services;
      const act = ACT_TYPE_OF_RAT[radio.currentRat];
      const requested = act === undefined ? undefined : powerSaving.edrx(act);
      // 0: the access technology does not use eDRX (no request, or not on a cell).
      if (!network.registered || act === undefined || !requested) {
        ctx.info('+CEDRXRDP: 0');
        return;
      }
      ctx.info(`+CEDRXRDP: ${act},${q(requested.value)},${q(requested.value)},${q(GRANTED_PTW)}`);
    },
    // 27.007: the test form answers OK alone.
    test() {},
  },
]);
