import { q } from '@modemlab/at';
import { defineCommands } from '../../engine/registry.js';

/** The root of trust's public identities: +USECCHIP (seed 002), +USECROTUID (notes §1.1). */
export const securityRotCommands = defineCommands(import.meta.url, [
  {
    // Seed 002 "Read the module chip ID": AT+USECCHIP -> +USECCHIP: "12345678".
    name: '+USECCHIP',
    action(ctx) {
      ctx.info(`+USECCHIP: ${q(ctx.module.services.rot.chipId)}`);
    },
    // An action command without parameters: the test form only answers OK.
    test() {},
  },
  {
    // ubxlib uSecurityGetRootOfTrustUid: exactly 16 hex characters (8 bytes).
    name: '+USECROTUID',
    action(ctx) {
      ctx.info(`+USECROTUID: ${q(ctx.module.services.rot.uid)}`);
    },
    test() {},
  },
]);
