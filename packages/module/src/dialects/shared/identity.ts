import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { ServiceCall } from './service-errors.js';

/** What the vendors' 27.007 identity commands differ by. */
export interface IdentityOptions {
  /** Text before the model's revision in +CGMR (Quectel: `Revision: `). */
  revisionPrefix: string;
  /** The dialect's mapping of a service refusal (+CIMI without a SIM). */
  service: ServiceCall;
}

/** +CGMI, +CGMM, +CGMR and +CIMI: the model table's identity strings and the SIM's IMSI. */
export function identityCommands({ revisionPrefix, service }: IdentityOptions): CommandDef[] {
  return defineCommands(import.meta.url, [
    {
      name: '+CGMI',
      action(ctx) {
        ctx.info(ctx.module.model.identity.manufacturer);
      },
    },
    {
      name: '+CGMM',
      action(ctx) {
        ctx.info(ctx.module.model.identity.model);
      },
    },
    {
      name: '+CGMR',
      action(ctx) {
        // The running firmware: the model's, or one installed since (+UFWINSTALL).
        ctx.info(`${revisionPrefix}${ctx.module.services.firmware.version.revision}`);
      },
    },
    {
      name: '+CIMI',
      action(ctx) {
        ctx.info(service(() => ctx.module.services.identity.imsi));
      },
    },
  ]);
}
