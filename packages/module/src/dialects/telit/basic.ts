import { powerCommands } from '../ublox/power.js';
import { registrationCommands } from '../ublox/registration.js';
import { signalCommands } from '../ublox/signal.js';
import { simCommands } from '../ublox/sim.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { identityCommands } from '../shared/identity.js';
import { v250Commands } from '../shared/v250.js';
import { service } from './service-errors.js';

const pick = (defs: readonly CommandDef[], names: string[]) => defs.filter((d) => names.includes(d.name));

/**
 * V.250 and 3GPP basics Telit answers like every 27.007 module: the shared V.250 handlers
 * (echo, verbosity, profiles, +CMEE, +IPR), +CFUN, registration reports, +CSQ and +CPIN
 * are the same grammar on every vendor and are reused as they are.
 */
export const telitBasicCommands: CommandDef[] = [
  ...v250Commands,
  ...pick(powerCommands, ['+CFUN']),
  ...pick(registrationCommands, ['+COPS', '+CREG', '+CGREG']),
  ...pick(signalCommands, ['+CSQ']),
  ...pick(simCommands, ['+CPIN']),
];

/** Who the module is: +CGMI "Telit", model, software version, IMEI. */
export const telitIdentityCommands = [
  ...identityCommands({ revisionPrefix: '', service }),
  ...defineCommands(import.meta.url, [
    {
      name: '+CGSN',
      action(ctx) {
        ctx.info(ctx.module.services.identity.imei);
      },
    },
    {
      name: 'I',
      basic(ctx, value) {
        const id = ctx.module.model.identity;
        if (value === undefined || value === 0) ctx.info(id.manufacturer);
        else if (value === 1) ctx.info(id.model);
        else if (value === 3) ctx.info(id.revision);
        else if (value === 4) ctx.info(id.model);
        else ctx.info(id.manufacturer);
      },
    },
  ]),
];
