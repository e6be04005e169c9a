import { q } from '@modemlab/at';
import { defineCommands } from '../../engine/registry.js';
import type { RegistrationCause } from '../../services/network/operator.js';
import { copsCommand } from '../shared/cops.js';
import { registrationCommand } from '../shared/registration.js';
import { UbloxCme } from './errors.js';
import { service } from './service-errors.js';

/** +CEER texts for the last registration change. */
const CEER_TEXT: Record<RegistrationCause, string> = {
  none: 'No report available',
  searching: 'No report available',
  registered: 'No report available',
  'radio-off': 'Detach due to MT functionality change',
  deregistered: 'Deregistration requested by the user',
  detached: 'Detach requested by the user',
  'coverage-lost': 'Lost radio coverage',
  // 3GPP TS 24.301 ESM cause #27.
  'apn-unknown': 'Missing or unknown APN',
};

/** Network selection and registration reports, RRC state, last failure cause. */
export const registrationCommands = defineCommands(import.meta.url, [
  copsCommand({ badParameter: UbloxCme.badParameter, maxOperLength: 24, service }),
  registrationCommand('+CREG', 2),
  registrationCommand('+CGREG', 2),
  registrationCommand('+CEREG', 5),
  {
    name: '+CSCON',
    params: [{ name: 'n', type: 'int', min: 0, max: 1, optional: true, default: 0 }],
    set(ctx, { n }) {
      ctx.session.urcModes.set('+CSCON', n as number);
    },
    read(ctx) {
      ctx.info(`+CSCON: ${ctx.session.urcMode('+CSCON')},${ctx.module.services.network.rrcConnected ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+CSCON: (0,1)');
    },
  },
  {
    name: '+CEER',
    action(ctx) {
      ctx.info(`+CEER: ${q(CEER_TEXT[ctx.module.services.network.lastCause])}`);
    },
  },
]);
