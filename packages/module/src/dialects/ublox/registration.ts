import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { RegistrationCause, SelectionMode } from '../../services/network/operator.js';
import { UbloxCme } from './errors.js';
import { currentAct, registrationRead, type RegCommand } from './registration-format.js';
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
};

function registrationCommand(name: RegCommand, maxN: number): CommandDef {
  return {
    name,
    params: [{ name: 'n', type: 'int', min: 0, max: maxN, optional: true, default: 0 }],
    set(ctx, { n }) {
      ctx.session.urcModes.set(name, n as number);
    },
    read(ctx) {
      ctx.info(registrationRead(name, ctx.session.urcMode(name), ctx.module));
    },
    test(ctx) {
      ctx.info(`${name}: (0-${maxN})`);
    },
  };
}

/** Network selection and registration reports, RRC state, last failure cause. */
export const registrationCommands = defineCommands(import.meta.url, [
  {
    name: '+COPS',
    params: [
      { name: 'mode', type: 'int', values: [0, 1, 2, 3, 4] },
      { name: 'format', type: 'int', min: 0, max: 2, optional: true },
      { name: 'oper', type: 'string', maxLength: 24, optional: true },
      { name: 'act', type: 'int', values: [7, 9], optional: true },
    ],
    set(ctx, { mode, format, oper }) {
      const net = ctx.module.services.network;
      if ((mode === 1 || mode === 4 || mode === 3) && format === undefined) throw cme(UbloxCme.badParameter);
      if ((mode === 1 || mode === 4) && oper === undefined) throw cme(UbloxCme.badParameter);
      if (mode !== 3) service(() => net.select(mode as SelectionMode, oper as string | undefined));
      if (format !== undefined) net.nameFormat = format as 0 | 1 | 2;
    },
    read(ctx) {
      const net = ctx.module.services.network;
      if (!net.registered) {
        ctx.info(`+COPS: ${net.selectionMode}`);
        return;
      }
      const o = net.options;
      const name = [o.operatorName, o.shortName, o.plmn][net.nameFormat]!;
      ctx.info(`+COPS: ${net.selectionMode},${net.nameFormat},${q(name)},${currentAct(ctx.module)}`);
    },
    test(ctx) {
      const net = ctx.module.services.network;
      const o = net.options;
      const visible = net.radioOn && net.hasCoverage;
      const list = visible ? `(${net.registered ? 2 : 1},${q(o.operatorName)},${q(o.shortName)},${q(o.plmn)},${currentAct(ctx.module)})` : '';
      ctx.info(`+COPS: ${list},,(0-4),(0-2)`);
    },
  },
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
