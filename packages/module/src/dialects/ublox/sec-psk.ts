import type { PskLength } from '@modemlab/at';
import { defineCommands } from '../../engine/registry.js';
import { keyCall } from './sec-keys-common.js';

/**
 * +USECPSK (seed 001 §6.1.1.1, notes §1.5): a PSK and its identity from the root of trust,
 * identity first, both uppercase hex in quotes as the seed prints them:
 *   AT+USECPSK=16  →  +USECPSK: "11010008002F33244B115B0AEEB9","E5DE45B367DB690F2E17CF9D80A18E87"
 * The identity is new at every call; the cloud's GetPSK regenerates the PSK from it.
 * Gated by the PSK feature (3 when not sealed or not authorized).
 */
export const secPskCommands = defineCommands(import.meta.url, [
  {
    name: '+USECPSK',
    params: [{ name: 'length', type: 'int', values: [16, 32] }],
    set(ctx, args) {
      const g = keyCall(ctx, () => ctx.module.services.keys.psk.generate(args.length as PskLength));
      ctx.info(`+USECPSK: "${g.identity.toString('hex').toUpperCase()}","${g.psk.toString('hex').toUpperCase()}"`);
    },
    test(ctx) {
      ctx.info('+USECPSK: (16,32)');
    },
  },
]);
