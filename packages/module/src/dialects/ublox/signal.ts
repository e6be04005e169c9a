import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));
/** Default +UCGED mode: serving-cell information, so a fresh module answers with data. */
const UCGED_DEFAULT = 2;

/** The serving cell can be measured: radio on and in coverage (registered or not). */
const measurable = (m: ModuleHost): boolean => m.services.network.radioOn && m.services.network.hasCoverage;

/** 27.007 index of RSRP (-141 dBm = 0) and RSRQ (-20 dB = 0, half-dB steps). */
const rsrpIndex = (dbm: number): number => clamp(dbm + 141, 0, 97);
const rsrqIndex = (db: number): number => clamp((db + 20) * 2, 0, 34);

/** +UCGED service state: 1 radio off, 2 searching, 3 no service, 4 registered. */
function serviceState(m: ModuleHost): number {
  const net = m.services.network;
  if (!net.radioOn) return 1;
  if (net.registered) return 4;
  return net.hasCoverage ? 2 : 3;
}

/** Signal quality and serving-cell information. */
export const signalCommands = defineCommands(import.meta.url, [
  {
    name: '+CSQ',
    action(ctx) {
      const rssi = ctx.module.services.network.options.rssi;
      // Cat-M1 has no bit error rate to report: <qual> stays 99.
      ctx.info(measurable(ctx.module) ? `+CSQ: ${clamp((rssi + 113) / 2, 0, 31)},99` : '+CSQ: 99,99');
    },
    test(ctx) {
      ctx.info('+CSQ: (0-31,99),(0-7,99)');
    },
  },
  {
    name: '+CESQ',
    action(ctx) {
      const o = ctx.module.services.network.options;
      const lte = measurable(ctx.module) ? `${rsrqIndex(o.rsrq)},${rsrpIndex(o.rsrp)}` : '255,255';
      ctx.info(`+CESQ: 99,99,255,255,${lte}`);
    },
    test(ctx) {
      ctx.info('+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)');
    },
  },
  {
    name: '+UCGED',
    params: [{ name: 'mode', type: 'int', values: [0, 2] }],
    set(ctx, { mode }) {
      ctx.session.urcModes.set('+UCGED', mode as number);
    },
    read(ctx) {
      const mode = ctx.session.urcModes.get('+UCGED') ?? UCGED_DEFAULT;
      ctx.info(`+UCGED: ${mode}`);
      if (mode !== 2) return;
      const m = ctx.module;
      const net = m.services.network;
      const o = net.options;
      const state = serviceState(m);
      const known = state === 4 || state === 2;
      ctx.info(known ? `6,${state},${o.plmn.slice(0, 3)},${o.plmn.slice(3)}` : `6,${state},fff,fff`);
      if (!known) {
        ctx.info('65535,255,255,255,ffff,fffffff,65535,ffffffff,ffff,ff,255,255,255,255,255,255,255,255,255,255,255,255,0');
        return;
      }
      const rsrp = rsrpIndex(o.rsrp);
      const rrc = net.rrcConnected ? 3 : 1;
      ctx.info(
        `${o.earfcn},${o.band},50,50,${o.tac.toLowerCase()},${o.cellId.toLowerCase().replace(/^0+(?=.)/, '')},${o.pci},d60814d1,8001,01,` +
          `${rsrp},${rsrqIndex(o.rsrq)},${o.sinr.toFixed(2)},${rrc},1,10,${rsrp},-50,-6,0,255,255,0`,
      );
    },
    test(ctx) {
      ctx.info('+UCGED: (0,2)');
    },
  },
]);
