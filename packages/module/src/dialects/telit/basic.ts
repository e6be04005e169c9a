import { basicCommands as v250 } from '../ublox/basic.js';
import { powerCommands } from '../ublox/power.js';
import { registrationCommands } from '../ublox/registration.js';
import { signalCommands } from '../ublox/signal.js';
import { simCommands } from '../ublox/sim.js';
import { defineCommands } from '../../engine/registry.js';
import { service } from './service-errors.js';

const pick = (defs: readonly { name: string }[], names: string[]) => defs.filter((d) => names.includes(d.name));

/**
 * V.250 and 3GPP basics Telit answers like every 27.007 module: the shared V.250 handlers
 * (echo, verbosity, profiles, +CMEE, +IPR), +CFUN, registration reports, +CSQ and +CPIN
 * are the same grammar on every vendor and are reused as they are.
 */
export const telitBasicCommands = [
  ...v250.filter((d) => d.name !== '+UDCONF'),
  ...pick(powerCommands, ['+CFUN']),
  ...pick(registrationCommands, ['+COPS', '+CREG', '+CGREG']),
  ...pick(signalCommands, ['+CSQ']),
  ...pick(simCommands, ['+CPIN']),
] as typeof v250;

/** Who the module is: +CGMI "Telit", model, software version, IMEI. */
export const telitIdentityCommands = defineCommands(import.meta.url, [
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
      ctx.info(ctx.module.model.identity.revision);
    },
  },
  {
    name: '+CGSN',
    action(ctx) {
      ctx.info(ctx.module.services.identity.imei);
    },
  },
  {
    name: '+CIMI',
    action(ctx) {
      ctx.info(service(() => ctx.module.services.identity.imsi));
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
]);
