import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { cpinCommand } from '../shared/cpin.js';
import { UbloxCme } from './errors.js';
import { service } from './service-errors.js';

const READ_BINARY = 176;
const UPDATE_BINARY = 214;
const CRSM_COMMANDS = [176, 178, 192, 214, 220, 242];

/** The SIM: PIN state and restricted SIM access to its elementary files. */
export const simCommands = defineCommands(import.meta.url, [
  cpinCommand({ notAllowed: UbloxCme.notAllowed, service }),
  {
    name: '+CRSM',
    params: [
      { name: 'command', type: 'int', values: CRSM_COMMANDS },
      { name: 'fileid', type: 'int', min: 0, max: 65535, optional: true },
      { name: 'p1', type: 'int', min: 0, max: 255, optional: true, default: 0 },
      { name: 'p2', type: 'int', min: 0, max: 255, optional: true, default: 0 },
      { name: 'p3', type: 'int', min: 0, max: 255, optional: true, default: 0 },
      { name: 'data', type: 'string', pattern: /^([0-9A-Fa-f]{2})*$/, optional: true },
      { name: 'pathid', type: 'string', optional: true },
    ],
    set(ctx, { command, fileid, p1, p2, p3, data }) {
      const sim = ctx.module.services.sim;
      if (fileid === undefined) throw cme(UbloxCme.badParameter);
      const offset = (p1 as number) * 256 + (p2 as number);
      let answer;
      if (command === READ_BINARY) answer = service(() => sim.readBinary(fileid as number, offset, p3 as number));
      else if (command === UPDATE_BINARY) {
        const bytes = Buffer.from((data as string | undefined) ?? '', 'hex');
        if (bytes.length === 0 || bytes.length !== p3) throw cme(UbloxCme.badParameter);
        answer = service(() => sim.updateBinary(fileid as number, offset, bytes));
      } else answer = { sw1: 106, sw2: 129 };
      const hex = answer.data ? `,${q(answer.data.toString('hex').toUpperCase())}` : '';
      ctx.info(`+CRSM: ${answer.sw1},${answer.sw2}${hex}`);
    },
    test(ctx) {
      ctx.info(`+CRSM: (${CRSM_COMMANDS.join(',')}),(0-65535),(0-255),(0-255),(0-255)`);
    },
  },
]);
