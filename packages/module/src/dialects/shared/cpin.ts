import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { ServiceCall } from './service-errors.js';

/** What the vendors' +CPIN differ by: their refusal numbers. */
export interface CpinOptions {
  /** The +CME ERROR for entering a PIN the SIM does not ask for. */
  notAllowed: number;
  /** The dialect's mapping of a service refusal (no SIM). */
  service: ServiceCall;
}

/**
 * +CPIN: the simulated SIM has no PIN, so the read form answers READY (or the vendor's
 * "SIM not inserted") and entering a PIN is not allowed.
 */
export function cpinCommand({ notAllowed, service }: CpinOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CPIN',
      params: [
        { name: 'pin', type: 'string', maxLength: 8 },
        { name: 'newpin', type: 'string', maxLength: 8, optional: true },
      ],
      read(ctx) {
        service(() => ctx.module.services.identity.iccid);
        ctx.info('+CPIN: READY');
      },
      set(ctx) {
        service(() => ctx.module.services.identity.iccid);
        throw cme(notAllowed);
      },
    },
  ]);
  return def!;
}
