import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { cfunCommand } from '../shared/cfun.js';
import { copsCommand } from '../shared/cops.js';
import { cpinCommand } from '../shared/cpin.js';
import { csqCommand } from '../shared/csq.js';
import { identityCommands } from '../shared/identity.js';
import { registrationCommand } from '../shared/registration.js';
import { v250Commands } from '../shared/v250.js';
import { TelitCme } from './errors.js';
import { service } from './service-errors.js';

/** Telit's 27.007 registration reports: CS (+CREG) and PS (+CGREG), modes 0-2. */
export const TELIT_REGISTRATION = ['+CREG', '+CGREG'] as const;
export const TELIT_MAX_REG_MODE = 2;

/**
 * V.250 and 3GPP basics Telit answers like every 27.007 module, from the shared factories
 * with Telit's own numbers: a parameter it does not take is `+CME ERROR: 4` "operation not
 * supported"; +COPS takes the <AcT>s of the product's radio (models/telit.ts).
 */
export const telitBasicCommands: CommandDef[] = [
  ...v250Commands,
  // The values and answers of the u-blox +CFUN, which Telit hosts use alike (no seed says otherwise).
  cfunCommand({ values: [0, 1, 4, 15, 16], resetValues: [15, 16], maxRst: 1, readsStkMode: true }),
  copsCommand({ badParameter: TelitCme.notSupported, maxOperLength: 24, service }),
  ...TELIT_REGISTRATION.map((name) => registrationCommand(name, TELIT_MAX_REG_MODE)),
  csqCommand({ measuresWhen: 'in-coverage', ber: 99 }),
  cpinCommand({ notAllowed: TelitCme.notAllowed, service }),
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
