import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { cfunCommand } from '../shared/cfun.js';
import { UbloxCme } from './errors.js';

const TIMER_BITS = /^[01]{8}$/;
const EDRX_BITS = /^[01]{4}$/;
/** 27.007 <AcT-type>: 4 E-UTRAN WB-S1 (LTE-M), 5 E-UTRAN NB-S1 (NB-IoT). */
const EDRX_ACT_TYPES = [4, 5];
const SLEEP_WITH_TIMEOUT = [1, 4];

const timer = (bits: string): string => (bits ? q(bits) : '');

/** +CFUN 0 minimum, 1 full, 4 airplane; 15 and 16 reset (with / without SIM reset), so does <rst>=1. */
export const ubloxCfun = cfunCommand({ values: [0, 1, 4, 15, 16], resetValues: [15, 16], maxRst: 1, readsStkMode: true });

/** Functionality, reboot and power saving (PSM, eDRX, UART sleep). */
export const powerCommands = [
  ubloxCfun,
  ...defineCommands(import.meta.url, [
  {
    name: '+UPSV',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 4 },
      { name: 'timeout', type: 'int', min: 40, max: 65000, optional: true, default: 2000 },
    ],
    set(ctx, { mode, timeout }) {
      ctx.module.services.powerSaving.sleep = { mode: mode as number, timeout: timeout as number };
    },
    read(ctx) {
      const { mode, timeout } = ctx.module.services.powerSaving.sleep;
      ctx.info(SLEEP_WITH_TIMEOUT.includes(mode) ? `+UPSV: ${mode},${timeout}` : `+UPSV: ${mode}`);
    },
    test(ctx) {
      ctx.info('+UPSV: (0-4),(40-65000)');
    },
  },
  {
    name: '+UPSMR',
    params: [{ name: 'mode', type: 'int', min: 0, max: 1 }],
    set(ctx, { mode }) {
      ctx.session.urcModes.set('+UPSMR', mode as number);
    },
    read(ctx) {
      ctx.info(`+UPSMR: ${ctx.session.urcMode('+UPSMR')}`);
    },
    test(ctx) {
      ctx.info('+UPSMR: (0,1)');
    },
  },
  {
    name: '+CPSMS',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 2, optional: true, default: 0 },
      { name: 'rau', type: 'string', pattern: TIMER_BITS, optional: true },
      { name: 'ready', type: 'string', pattern: TIMER_BITS, optional: true },
      { name: 'tau', type: 'string', pattern: TIMER_BITS, optional: true },
      { name: 'active', type: 'string', pattern: TIMER_BITS, optional: true },
    ],
    set(ctx, { mode, rau, ready, tau, active }) {
      const ps = ctx.module.services.powerSaving;
      if (mode === 2) {
        ps.resetPsm();
        return;
      }
      ps.setPsm({
        enabled: mode === 1,
        ...(rau !== undefined ? { periodicRau: rau as string } : {}),
        ...(ready !== undefined ? { gprsReadyTimer: ready as string } : {}),
        ...(tau !== undefined ? { periodicTau: tau as string } : {}),
        ...(active !== undefined ? { activeTime: active as string } : {}),
      });
    },
    // No blank after the colon: that is how the module prints it, and hosts match on it.
    read(ctx) {
      const p = ctx.module.services.powerSaving.psm;
      ctx.info(`+CPSMS:${p.enabled ? 1 : 0},${timer(p.periodicRau)},${timer(p.gprsReadyTimer)},${timer(p.periodicTau)},${timer(p.activeTime)}`);
    },
    test(ctx) {
      const range = '("00000000"-"11111111")';
      ctx.info(`+CPSMS:(0-2),${range},${range},${range},${range}`);
    },
  },
  {
    name: '+CEDRXS',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 3, optional: true, default: 0 },
      { name: 'act', type: 'int', values: EDRX_ACT_TYPES, optional: true },
      { name: 'value', type: 'string', pattern: EDRX_BITS, optional: true },
    ],
    set(ctx, { mode, act, value }) {
      const ps = ctx.module.services.powerSaving;
      if (mode === 3) {
        ps.resetEdrx();
        return;
      }
      if (act === undefined) {
        if (mode !== 0) throw cme(UbloxCme.badParameter);
        ps.resetEdrx();
        return;
      }
      const actType = act as number;
      if (mode === 0) {
        ps.setEdrx(actType, undefined);
        return;
      }
      ps.setEdrx(actType, { mode: mode as 1 | 2, value: (value as string | undefined) ?? ps.edrx(actType)?.value ?? '0000' });
    },
    read(ctx) {
      for (const e of ctx.module.services.powerSaving.edrxList()) ctx.info(`+CEDRXS: ${e.actType},${q(e.value)}`);
    },
    test(ctx) {
      ctx.info(`+CEDRXS: (0-3),(${EDRX_ACT_TYPES.join(',')}),("0000"-"1111")`);
    },
  },
]),
];
