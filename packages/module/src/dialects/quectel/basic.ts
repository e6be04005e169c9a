import { q } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme, plainError } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { Functionality } from '../../services/network/operator.js';
import { ServiceError } from '../../services/errors.js';
import { registrationRead } from '../ublox/registration-format.js';
import { QuectelCme } from './errors.js';

/** The 3GPP +CME ERROR for a service refusal (no network, no context...). */
function service<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof ServiceError) throw cme(err.reason === 'not-registered' ? QuectelCme.noNetworkService : QuectelCme.notAllowed, err.message);
    throw err;
  }
}

/** BC66 +CFUN: 0 minimum functionality, 1 full. */
const CFUN_VALUES = [0, 1];

function cgpaddrLine(ctx: CommandContext, cid: number): string {
  const c = ctx.module.services.pdp.context(cid);
  const addresses = [c?.ipv4, c?.ipv6].filter((a): a is string => Boolean(a));
  return `+CGPADDR: ${[String(cid), ...addresses.map(q)].join(',')}`;
}

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

/** V.250 basics, identity, functionality, registration and the default bearer of a BC66. */
export const quectelBasicCommands = defineCommands(import.meta.url, [
  {
    name: 'E',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.echo = value === 1;
    },
  },
  {
    name: 'V',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.verbose = value === 1;
    },
  },
  {
    name: 'Q',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.quiet = value === 1;
    },
  },
  {
    name: '&F',
    basic(ctx, value) {
      if (value !== undefined && value !== 0) throw plainError();
      ctx.session.reset();
    },
  },
  {
    name: 'Z',
    basic(ctx, value) {
      if (value !== undefined && value !== 0) throw plainError();
      ctx.session.reset();
    },
  },
  {
    name: 'I',
    basic(ctx, value) {
      if (value !== undefined && value !== 0) throw plainError();
      for (const l of ctx.module.model.identity.atiLines) ctx.info(l.replace('{imei}', ctx.module.services.identity.imei));
    },
  },
  {
    name: '+CMEE',
    params: [{ name: 'n', type: 'int', min: 0, max: 2, optional: true, default: 0 }],
    set(ctx, { n }) {
      ctx.session.cmee = n as 0 | 1 | 2;
    },
    read(ctx) {
      ctx.info(`+CMEE: ${ctx.session.cmee}`);
    },
    test(ctx) {
      ctx.info('+CMEE: (0-2)');
    },
  },
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
      ctx.info(`Revision: ${ctx.module.model.identity.revision}`);
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
    name: '+CIMI',
    action(ctx) {
      ctx.info(service(() => ctx.module.services.identity.imsi));
    },
  },
  {
    name: '+CFUN',
    params: [
      { name: 'fun', type: 'int', values: CFUN_VALUES },
      { name: 'rst', type: 'int', values: [0], optional: true, default: 0 },
    ],
    set(ctx, { fun }) {
      ctx.module.services.network.setFunctionality(fun as Functionality);
    },
    read(ctx) {
      ctx.info(`+CFUN: ${ctx.module.services.network.functionality}`);
    },
    test(ctx) {
      ctx.info(`+CFUN: (${CFUN_VALUES.join(',')}),(0)`);
    },
  },
  {
    name: '+CEREG',
    params: [{ name: 'n', type: 'int', min: 0, max: 5, optional: true, default: 0 }],
    set(ctx, { n }) {
      ctx.session.urcModes.set('+CEREG', n as number);
    },
    read(ctx) {
      ctx.info(registrationRead('+CEREG', ctx.session.urcMode('+CEREG'), ctx.module));
    },
    test(ctx) {
      ctx.info('+CEREG: (0-5)');
    },
  },
  {
    name: '+CGATT',
    params: [{ name: 'state', type: 'int', min: 0, max: 1 }],
    set(ctx, { state }) {
      const net = ctx.module.services.network;
      if (state === 1 && !net.radioOn) throw cme(QuectelCme.notAllowed);
      net.setPsAttach(state === 1);
    },
    read(ctx) {
      ctx.info(`+CGATT: ${ctx.module.services.network.registered ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+CGATT: (0,1)');
    },
  },
  {
    name: '+CSQ',
    action(ctx) {
      const net = ctx.module.services.network;
      const rssi = net.options.rssi;
      ctx.info(net.registered ? `+CSQ: ${Math.max(0, Math.min(31, Math.round((rssi + 113) / 2)))},0` : '+CSQ: 99,99');
    },
    test(ctx) {
      ctx.info('+CSQ: (0-31,99),(0-7,99)');
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
]);
