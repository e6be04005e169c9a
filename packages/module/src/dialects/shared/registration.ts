import { formatRange, q, type ParamSpec } from '@modemlab/at';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { NetworkView, UrcRouter } from './host-view.js';

/** The three 27.007 registration reports share their grammar; +CEREG adds PSM timers (modes 4-5). */
export type RegCommand = '+CREG' | '+CGREG' | '+CEREG';

const located = (stat: number): boolean => stat === 1 || stat === 5;

/** <AcT> of the RAT the module runs on, from the model's table (or the lab's forced value). */
export function currentAct(view: NetworkView): number {
  const forced = view.services.network.options.accessTechnology;
  if (forced !== undefined) return forced;
  const rat = view.services.radio.currentRat;
  return view.model.network.actByRat[rat] ?? rat;
}

function location(view: NetworkView): string {
  const o = view.services.network.options;
  return `${q(o.tac)},${q(o.cellId)},${currentAct(view)}`;
}

/** Active-Time and Periodic-TAU as granted: the network grants what the module asked for. */
function psmTimers(view: NetworkView): string | undefined {
  const psm = view.services.powerSaving.psm;
  return psm.enabled ? `,,,${q(psm.activeTime)},${q(psm.periodicTau)}` : undefined;
}

/** What follows `<stat>` for presentation mode `n`, in reads and URCs alike. */
function details(cmd: RegCommand, n: number, view: NetworkView): string {
  const stat = view.services.network.stat;
  if (n < 2 || !located(stat)) return '';
  const timers = cmd === '+CEREG' && n >= 4 ? (psmTimers(view) ?? '') : '';
  return `,${location(view)}${timers}`;
}

/** The read form: `+CEREG: <n>,<stat>[,...]`. */
export function registrationRead(cmd: RegCommand, n: number, view: NetworkView): string {
  return `${cmd}: ${n},${view.services.network.stat}${details(cmd, n, view)}`;
}

/** The URC for a terminal in mode `n`, or nothing when it asked for none. */
export function registrationUrc(cmd: RegCommand, n: number, view: NetworkView): string | undefined {
  if (n === 0) return undefined;
  return `${cmd}: ${view.services.network.stat}${details(cmd, n, view)}`;
}

/** +CREG / +CGREG / +CEREG: the terminal's report mode 0..maxMode, the read form, the test range. */
export function registrationCommand(name: RegCommand, maxMode: number): CommandDef {
  const mode: ParamSpec = { name: 'n', type: 'int', min: 0, max: maxMode, optional: true, default: 0 };
  const [def] = defineCommands(import.meta.url, [
    {
      name,
      params: [mode],
      set(ctx, { n }) {
        ctx.session.urcModes.set(name, n as number);
      },
      read(ctx) {
        ctx.info(registrationRead(name, ctx.session.urcMode(name), ctx.module));
      },
      test(ctx) {
        ctx.info(`${name}: ${formatRange(mode)}`);
      },
    },
  ]);
  return def!;
}

/**
 * The registration URCs of `commands` on every registration change of the network service,
 * each terminal in its own mode (0..maxMode). The texts are built when the change happens
 * (a URC queued behind a running command must not show a later state); listeners are
 * prepended so the report comes before what the same change causes (context events, a
 * dropped connection).
 */
export function wireRegistrationUrcs(host: NetworkView & UrcRouter, commands: readonly RegCommand[], maxMode: number): void {
  host.services.network.prependListener('registration', () => {
    for (const cmd of commands) {
      const texts = Array.from({ length: maxMode + 1 }, (_, n) => registrationUrc(cmd, n, host));
      host.urc((session) => texts[session.urcMode(cmd)]);
    }
  });
}
