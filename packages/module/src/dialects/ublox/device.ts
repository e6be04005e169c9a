import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { LocalTime } from '../../services/rtc.js';
import { UbloxCme } from './errors.js';

/** GNSS output bit of +UGPRF that sends the data to an IP server. */
const GNSS_TO_IP = 16;
const CCLK = /^(\d\d)\/(\d\d)\/(\d\d),(\d\d):(\d\d):(\d\d)([+-]\d\d)$/;

const two = (n: number): string => String(n).padStart(2, '0');

/** "yy/MM/dd,hh:mm:ss±zz" with the zone in quarter hours (27.007 +CCLK). */
export function formatCclk(t: LocalTime): string {
  const d = new Date(t.localMs);
  const zone = `${t.quarterHours < 0 ? '-' : '+'}${two(Math.abs(t.quarterHours))}`;
  return `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${zone}`;
}

export function parseCclk(text: string): LocalTime | undefined {
  const m = CCLK.exec(text);
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi, ss, tz] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const localMs = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  const d = new Date(localMs);
  // Date.UTC rolls 31/02 over into March; a real date reads back unchanged.
  if (d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== dd || hh > 23 || mi > 59 || ss > 59 || Math.abs(tz) > 96) return undefined;
  return { localMs, quarterHours: tz };
}

/** Device settings: clock, GNSS data routing, the embedded LwM2M client. */
export const deviceCommands = defineCommands(import.meta.url, [
  {
    name: '+CCLK',
    params: [{ name: 'time', type: 'string' }],
    set(ctx, { time }) {
      const t = parseCclk(time as string);
      if (!t) throw cme(UbloxCme.badParameter);
      ctx.module.services.rtc.set(t);
    },
    read(ctx) {
      ctx.info(`+CCLK: ${q(formatCclk(ctx.module.services.rtc.now()))}`);
    },
  },
  {
    name: '+UGPRF',
    params: [
      { name: 'outputs', type: 'int', min: 0, max: 127 },
      { name: 'port', type: 'int', min: 0, max: 65535, optional: true, default: 0 },
      { name: 'server', type: 'string', maxLength: 255, optional: true, default: '' },
    ],
    set(ctx, { outputs, port, server }) {
      if ((outputs as number) & GNSS_TO_IP && !server) throw cme(UbloxCme.badParameter);
      ctx.module.services.device.setGnss({ outputs: outputs as number, port: port as number, server: server as string });
    },
    read(ctx) {
      const g = ctx.module.services.device.gnss;
      ctx.info(`+UGPRF: ${g.outputs},${g.port},${q(g.server)}`);
    },
    test(ctx) {
      ctx.info('+UGPRF: (0-127),(0-65535),255');
    },
  },
  {
    name: '+ULWM2M',
    // 0 enables the client, 1 disables it.
    params: [{ name: 'disabled', type: 'int', min: 0, max: 1 }],
    set(ctx, { disabled }) {
      ctx.module.services.device.setLwm2m(disabled === 0);
    },
    read(ctx) {
      ctx.info(`+ULWM2M: ${ctx.module.services.device.lwm2mEnabled ? 0 : 1}`);
    },
    test(ctx) {
      ctx.info('+ULWM2M: (0,1)');
    },
  },
]);
