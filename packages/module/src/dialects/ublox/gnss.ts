import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { SATELLITES_USED, type GnssReceiver, type NmeaKind } from '../../services/gnss.js';
import { answerUbx, decodeUbx, encodeUbx, navPvt } from '../../services/gnss-ubx.js';
import { UbloxCme } from './errors.js';

/** CellLocate's answer time (module clock) and the uncertainty it reports for the lab position, metres. */
const LOCATE_MS = 1000;
const LOCATE_UNCERTAINTY_M = 10;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The receiver of a product that has one; else "operation not supported". */
function receiver(module: ModuleHost): GnssReceiver {
  if (!module.model.gnss) throw cme(UbloxCme.notSupported);
  return module.services.gnss;
}

/**
 * +UGRMC / +UGGGA / +UGGLL / +UGGSV / +UGGSA / +UGVTG / +UGZDA: keep the sentence for
 * reading; the read gives it, or "Not available" without a fix. A kind of several sentences
 * (GSV) gives the first after `1,` and the others on the following lines (decision).
 */
function nmeaCommand(name: string, kind: NmeaKind): CommandDef {
  return {
    name,
    params: [{ name: 'mode', type: 'int', min: 0, max: 1 }],
    set(ctx, { mode }) {
      receiver(ctx.module).stored[kind] = mode === 1;
    },
    read(ctx) {
      const g = receiver(ctx.module);
      if (!g.stored[kind]) return ctx.info(`${name}: 0`);
      const [first, ...more] = g.nmea(kind) ?? ['Not available'];
      ctx.info(`${name}: 1,${first}`);
      for (const line of more) ctx.info(line);
    },
    test(ctx) {
      ctx.info(`${name}: (0-1)`);
    },
  };
}

/**
 * +UUGIND when +UGIND=1: at the fix, one report per aiding mode bit the host switched on
 * with +UGPS (1 automatic local, 2 AssistNow Offline, 4 AssistNow Online, 8 AssistNow
 * Autonomous), result 0 (no error) — decision: the lab's aiding always succeeds.
 */
export function wireGnssUrcs(module: ModuleHost): void {
  if (!module.model.gnss) return;
  module.services.gnss.onFix(({ aidMode }) => {
    if (!module.services.gnss.indications) return;
    for (const bit of [1, 2, 4, 8]) if (aidMode & bit) module.urc(`+UUGIND: ${bit},0`);
  });
}

/** The built-in GNSS (SARA-R510M8S) and CellLocate, from the lab's configured position. */
export const gnssCommands = defineCommands(import.meta.url, [
  {
    name: '+UGPS',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 1 },
      { name: 'aid', type: 'int', min: 0, max: 255, optional: true, default: 0 },
      { name: 'systems', type: 'int', min: 1, max: 127, optional: true, default: 1 },
    ],
    set(ctx, { mode, aid, systems }) {
      receiver(ctx.module).power(mode === 1, aid as number, systems as number);
    },
    read(ctx) {
      const g = receiver(ctx.module);
      ctx.info(g.on ? `+UGPS: 1,${g.aidMode},${g.systems}` : '+UGPS: 0');
    },
    test(ctx) {
      ctx.info('+UGPS: (0-1),(0-255),(1-127)');
    },
  },
  {
    name: '+UGIND',
    params: [{ name: 'mode', type: 'int', min: 0, max: 1 }],
    set(ctx, { mode }) {
      receiver(ctx.module).indications = mode === 1;
    },
    read(ctx) {
      ctx.info(`+UGIND: ${receiver(ctx.module).indications ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+UGIND: (0-1)');
    },
  },
  nmeaCommand('+UGRMC', 'rmc'),
  nmeaCommand('+UGGGA', 'gga'),
  nmeaCommand('+UGGLL', 'gll'),
  nmeaCommand('+UGGSV', 'gsv'),
  nmeaCommand('+UGGSA', 'gsa'),
  nmeaCommand('+UGVTG', 'vtg'),
  nmeaCommand('+UGZDA', 'zda'),
  {
    name: '+UGUBX',
    // AT+UGUBX="<UBX frame, hex>": one frame to the GNSS chip, its answer back in hex (ubxlib's
    // GNSS-over-AT transport). The receiver must be on; a frame that is not one valid UBX
    // frame is "incorrect parameters". Answered: NAV-PVT and MON-VER polls, CFG (ACK-ACK);
    // anything else gets an empty answer (services/gnss-ubx.ts).
    params: [{ name: 'frame', type: 'string', minLength: 16, maxLength: 2048, pattern: /^[0-9A-Fa-f]+$/ }],
    set(ctx, { frame }) {
      const g = receiver(ctx.module);
      if (!g.on) throw cme(UbloxCme.notAllowed);
      const hex = frame as string;
      const request = hex.length % 2 === 0 ? decodeUbx(Buffer.from(hex, 'hex')) : undefined;
      if (!request) throw cme(UbloxCme.badParameter);
      const now = ctx.module.clock.now();
      // The M8 chip's own version strings (decision: ROM SPG 3.01, hardware 00080000).
      const answer = answerUbx(request, () => navPvt(now, g.hasFix ? g.state : undefined, SATELLITES_USED), { sw: 'ROM SPG 3.01 (107888)', hw: '00080000' });
      ctx.info(`+UGUBX: "${answer ? encodeUbx(answer).toString('hex').toUpperCase() : ''}"`);
    },
  },
  {
    name: '+ULOC',
    // AT+ULOC=<mode>,<sensor>,<response_type>,<timeout>,<accuracy>[,<num_hypothesis>]:
    // single shot (2), the standard (0) or detailed (1, ubxlib's) answer.
    params: [
      { name: 'mode', type: 'int', values: [2] },
      { name: 'sensor', type: 'int', min: 0, max: 15 },
      { name: 'responseType', type: 'int', values: [0, 1] },
      { name: 'timeout', type: 'int', min: 1, max: 999 },
      { name: 'accuracy', type: 'int', min: 1, max: 999_999 },
      { name: 'hypotheses', type: 'int', min: 1, max: 16, optional: true },
    ],
    set(ctx, { sensor, responseType }) {
      const module = ctx.module;
      const g = receiver(module);
      ctx.afterResult(() => {
        g.locate(LOCATE_MS, (p, motion) => {
          const d = new Date(module.clock.now());
          const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
          const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
          let line = `+UULOC: ${date},${time},${p.latitude.toFixed(7)},${p.longitude.toFixed(7)},${Math.round(p.altitude)},${LOCATE_UNCERTAINTY_M}`;
          if (responseType === 1) {
            // ,<speed m/s>,<direction deg>,<vertical_acc m>,<sensor_used>,<SV_used>,<antenna_status>,<jamming_status>:
            // the GNSS fix when the host allowed GNSS (bit 0) and the receiver has one, else CellLocate (2, no SVs).
            const byGnss = ((sensor as number) & 1) === 1 && g.hasFix;
            line += `,${Math.round(motion.speed)},${Math.round(motion.course) % 360},${LOCATE_UNCERTAINTY_M},${byGnss ? 1 : 2},${byGnss ? SATELLITES_USED : 0},0,0`;
          }
          module.urc(line);
        });
      });
    },
    test(ctx) {
      ctx.info('+ULOC: (2),(0-15),(0-1),(1-999),(1-999999),(1-16)');
    },
  },
]);
