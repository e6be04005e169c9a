import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import type { LocalTime } from '../../services/rtc.js';
import { formatCclk, parseCclk } from '../ublox/device.js';
import { TelitCme } from './errors.js';

/**
 * #NITZ <val>, a sum of: 1 automatic date/time update from the network, 2 full network name
 * applying, 4 extended #NITZ URC (time zone), 8 extended #NITZ URC (daylight saving).
 * <mode> 1 turns the #NITZ URC on. Factory 7,0; kept in NVM.
 */
interface NitzSetting {
  val: number;
  mode: number;
}

const NVM = 'telit-nitz';
const FACTORY: NitzSetting = { val: 7, mode: 0 };
const AUTOMATIC = 1;
const URC_ZONE = 4;
const URC_DST = 8;

export const nitzSetting = (module: ModuleHost): NitzSetting => module.nvm.read<NitzSetting>(NVM, FACTORY);

/** "yy/MM/dd,hh:mm:ss±zz,d": 27.007's +CCLK time with Telit's daylight saving digit. */
function formatTelitClock(t: LocalTime): string {
  return `${formatCclk(t)},${t.daylightSaving ?? 0}`;
}

function parseTelitClock(text: string): LocalTime | undefined {
  const m = /^(.*),([0-2])$/.exec(text);
  const t = parseCclk(m ? m[1]! : text);
  if (!t || Math.abs(t.quarterHours) > 96) return undefined;
  return { ...t, daylightSaving: m ? Number(m[2]) : 0 };
}

/**
 * The network's time (NITZ) reaches the module when it registers. With automatic update
 * on (#NITZ <val> bit 1, the factory setting) the real-time clock then takes it, replacing
 * a #CCLK setting: the module's date follows the network (the lab's clock). With it off,
 * the #CCLK time stays (seed 003 §3.3.1: how to keep an expired CA usable).
 */
export function wireTelitClock(module: ModuleHost): void {
  module.services.network.on('registration', ({ stat, previous }) => {
    const registered = (s: number) => s === 1 || s === 5;
    if (!registered(stat) || registered(previous)) return;
    const nitz = nitzSetting(module);
    if (!(nitz.val & AUTOMATIC)) return;
    module.services.rtc.fromNetwork();
    if (nitz.mode !== 1) return;
    const t = module.services.rtc.now();
    const full = formatTelitClock(t);
    // "yy/MM/dd,hh:mm:ss", then ±zz (bit 4), then ,d (bit 8).
    const text = `#NITZ: ${full.slice(0, 17)}${nitz.val & URC_ZONE ? full.slice(17, 20) : ''}${nitz.val & URC_DST ? full.slice(20) : ''}`;
    module.urc(text);
  });
}

/** #CCLK (the real-time clock with daylight saving) and #NITZ (network time update). */
export const telitClockCommands = defineCommands(import.meta.url, [
  {
    name: '#CCLK',
    params: [{ name: 'time', type: 'string' }],
    set(ctx, { time }) {
      const t = parseTelitClock(time as string);
      if (!t) throw cme(TelitCme.notSupported, 'bad time');
      ctx.module.services.rtc.set(t);
    },
    read(ctx) {
      ctx.info(`#CCLK: ${q(formatTelitClock(ctx.module.services.rtc.now()))}`);
    },
    test() {},
  },
  {
    name: '#NITZ',
    params: [
      { name: 'val', type: 'int', min: 0, max: 15, optional: true, default: FACTORY.val },
      { name: 'mode', type: 'int', min: 0, max: 1, optional: true, default: FACTORY.mode },
    ],
    set(ctx, { val, mode }) {
      ctx.module.nvm.write<NitzSetting>(NVM, { val: val as number, mode: mode as number });
    },
    read(ctx) {
      const n = nitzSetting(ctx.module);
      ctx.info(`#NITZ: ${n.val},${n.mode}`);
    },
    test(ctx) {
      ctx.info('#NITZ: (0-15),(0,1)');
    },
  },
]);
