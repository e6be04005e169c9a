import { cme, plainError } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { cfunCommand } from '../shared/cfun.js';
import { copsCommand } from '../shared/cops.js';
import { csqCommand } from '../shared/csq.js';
import { identityCommands } from '../shared/identity.js';
import { cgattCommand, cgpaddrLine } from '../shared/pdp.js';
import { registrationCommand } from '../shared/registration.js';
import { cmeeCommand, echoCommand, factoryCommand, quietCommand, resetCommand, verboseCommand } from '../shared/v250.js';
import { QuectelCme } from './errors.js';
import { service } from './service-errors.js';


/**
 * +QSCLK: 0 sleep disabled, 1 light and deep sleep (woken by PSM_EINT), 2 light sleep only.
 * Seed 004's example spells it +QSCCLK; both spellings reach the same handler.
 */
const qsclk: CommandDef = {
  name: '+QSCLK',
  aliases: ['+QSCCLK'],
  params: [{ name: 'mode', type: 'int', min: 0, max: 2 }],
  set(ctx, { mode }) {
    ctx.module.services.powerSaving.sleep = { ...ctx.module.services.powerSaving.sleep, mode: mode as number };
  },
  read(ctx) {
    ctx.info(`+QSCLK: ${ctx.module.services.powerSaving.sleep.mode}`);
  },
  test(ctx) {
    ctx.info('+QSCLK: (0-2)');
  },
};

/** +CEREG modes 0-5 (5 adds the PSM timers). */
export const QUECTEL_MAX_REG_MODE = 5;

/** V.250 basics, identity, functionality, registration and the default bearer of a BC66. */
export const quectelBasicCommands = [
  echoCommand,
  verboseCommand,
  quietCommand,
  factoryCommand,
  // The BC66 has no AT&W: ATZ takes profile 0 only and restores the power-on settings.
  resetCommand({ maxProfile: 0, restoresProfile: false }),
  cmeeCommand,
  ...identityCommands({ revisionPrefix: 'Revision: ', service }),
  cgattCommand({ notAllowed: QuectelCme.notAllowed, testRange: '(0,1)' }),
  // +CFUN 0 minimum functionality, 1 full; no reset through +CFUN.
  cfunCommand({ values: [0, 1], resetValues: [], maxRst: 0, readsStkMode: false }),
  copsCommand({ badParameter: QuectelCme.badParameter, maxOperLength: 24, service }),
  registrationCommand('+CEREG', QUECTEL_MAX_REG_MODE),
  csqCommand({ measuresWhen: 'registered', ber: 0 }),
  ...defineCommands(import.meta.url, [
    {
      name: 'I',
      basic(ctx, value) {
        if (value !== undefined && value !== 0) throw plainError();
        for (const l of ctx.module.model.identity.atiLines) ctx.info(l.replace('{imei}', ctx.module.services.identity.imei));
      },
    },
    {
      name: '+CGSN',
      params: [{ name: 'snt', type: 'int', min: 0, max: 3, optional: true, default: 1 }],
      action(ctx) {
        ctx.info(`+CGSN: ${ctx.module.services.identity.imei}`);
      },
      set(ctx, { snt }) {
        const imei = ctx.module.services.identity.imei;
        const svn = ctx.module.model.identity.svn;
        if (snt === 0) ctx.info(`+CGSN: ${imei.slice(0, 14)}`);
        else if (snt === 1) ctx.info(`+CGSN: ${imei}`);
        else if (snt === 2) ctx.info(`+CGSN: ${imei.slice(0, 14)}${svn}`);
        else ctx.info(`+CGSN: ${svn}`);
      },
      test(ctx) {
        ctx.info('+CGSN: (0-3)');
      },
    },
    {
      name: '+CGPADDR',
      params: [{ name: 'cid', type: 'int', min: 0, max: 10 }],
      set(ctx, { cid }) {
        if (!ctx.module.services.pdp.definitionsList().some((d) => d.cid === cid)) throw cme(QuectelCme.badParameter);
        ctx.info(cgpaddrLine(ctx, cid as number));
      },
      action(ctx) {
        for (const c of ctx.module.services.pdp.activeList()) ctx.info(cgpaddrLine(ctx, c.cid));
      },
      test(ctx) {
        ctx.info(`+CGPADDR: (${ctx.module.services.pdp.definitionsList().map((d) => d.cid).join(',')})`);
      },
    },
    qsclk,
  ]),
];
