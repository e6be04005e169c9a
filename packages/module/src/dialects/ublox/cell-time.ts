import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import type { CellTimeMode, CellTimeReading, CellTimeSensor } from '../../services/cell-time.js';
import { UbloxCme } from './errors.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * +UUTIME: <date>,<time>,<ms>,<accuracy>,<source> as ubxlib parses it: dd/mm/yyyy,
 * hh:mm:ss, the milliseconds within the second with six decimals, the accuracy in seconds
 * with nine decimals (ubxlib scales it by 1e9 to nanoseconds), source 1 absolute UTC
 * (0 would be relative cell time).
 */
export function uutime(r: CellTimeReading): string {
  const d = new Date(Math.floor(r.utcMs));
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = (r.utcMs - Math.floor(r.utcMs / 1000) * 1000).toFixed(6);
  return `+UUTIME: ${date},${time},${ms},${(r.accuracyNs / 1e9).toFixed(9)},${r.absolute ? 1 : 0}`;
}

/** CellTime URCs: +UUTIMEIND (when enabled with +UTIMEIND=1) and +UUTIME. */
export function wireCellTimeUrcs(module: ModuleHost): void {
  const ct = module.services.cellTime;
  ct.on('indication', (i) => {
    if (ct.indications) module.urc(`+UUTIMEIND: ${i.mode},${i.source},${i.absolute ? 1 : 0},${i.result}`);
  });
  ct.on('time', (r) => module.urc(uutime(r)));
}

/** CellTime (SARA-R5): +UTIME starts it, +UTIMEIND enables its indications, +UTIMECFG sets the offset. */
export const cellTimeCommands = defineCommands(import.meta.url, [
  {
    name: '+UTIME',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 3 },
      { name: 'sensor', type: 'int', min: 1, max: 2, optional: true },
      { name: 'period', type: 'int', min: 1, max: 3600, optional: true },
      { name: 'width', type: 'int', min: 1, max: 1000, optional: true },
    ],
    set(ctx, { mode, sensor, period, width }) {
      const pulse = period === undefined ? undefined : { periodS: period as number, widthMs: (width as number | undefined) ?? 100 };
      // Decision: a sync needs the cell's broadcast time; off a cell the command is refused.
      if (!ctx.module.services.cellTime.start(mode as CellTimeMode, ((sensor as number | undefined) ?? 1) as CellTimeSensor, pulse)) throw cme(UbloxCme.notAllowed);
    },
    read(ctx) {
      const ct = ctx.module.services.cellTime;
      ctx.info(`+UTIME: ${ct.mode},${ct.sensor}`);
    },
    test(ctx) {
      ctx.info('+UTIME: (0-3),(1-2),(1-3600),(1-1000)');
    },
  },
  {
    name: '+UTIMEIND',
    params: [{ name: 'mode', type: 'int', min: 0, max: 1 }],
    set(ctx, { mode }) {
      ctx.module.services.cellTime.indications = mode === 1;
    },
    read(ctx) {
      ctx.info(`+UTIMEIND: ${ctx.module.services.cellTime.indications ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+UTIMEIND: (0-1)');
    },
  },
  {
    name: '+UTIMECFG',
    params: [
      { name: 'offsetNs', type: 'int', min: 0, max: 999_999_999 },
      { name: 'offsetS', type: 'int', min: 0, max: 2_147_483_647, optional: true, default: 0 },
    ],
    set(ctx, { offsetNs, offsetS }) {
      ctx.module.services.cellTime.setOffset(offsetNs as number, offsetS as number);
    },
    read(ctx) {
      const ct = ctx.module.services.cellTime;
      ctx.info(`+UTIMECFG: ${ct.offsetNs},${ct.offsetS}`);
    },
    test(ctx) {
      ctx.info('+UTIMECFG: (0-999999999),(0-2147483647)');
    },
  },
]);


