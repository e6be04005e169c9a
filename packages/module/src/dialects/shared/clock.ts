import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { LocalTime } from '../../services/rtc.js';

const CCLK = /^(\d\d)\/(\d\d)\/(\d\d),(\d\d):(\d\d):(\d\d)([+-]\d\d)$/;

const two = (n: number): string => String(n).padStart(2, '0');

/** "yy/MM/dd,hh:mm:ss±zz" with the zone in quarter hours (27.007 +CCLK). */
export function formatCclk(t: LocalTime): string {
  const d = new Date(t.localMs);
  const zone = `${t.quarterHours < 0 ? '-' : '+'}${two(Math.abs(t.quarterHours))}`;
  return `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${zone}`;
}

/** The time of a 27.007 +CCLK string, or undefined for one that is not a real date and time. */
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

/** What the vendors' +CCLK differ by: the +CME ERROR for a time that does not parse. */
export interface CclkOptions {
  badTime: number;
}

/** +CCLK: the real-time clock in 27.007's format. */
export function cclkCommand({ badTime }: CclkOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CCLK',
      params: [{ name: 'time', type: 'string' }],
      set(ctx, { time }) {
        const t = parseCclk(time as string);
        if (!t) throw cme(badTime, 'bad time');
        ctx.module.services.rtc.set(t);
      },
      read(ctx) {
        ctx.info(`+CCLK: ${q(formatCclk(ctx.module.services.rtc.now()))}`);
      },
    },
  ]);
  return def!;
}
