import { q } from '@modemlab/at';
import type { ModuleHost } from '../../module-host.js';

/** The three registration commands share their grammar; +CEREG adds PSM timers. */
export type RegCommand = '+CREG' | '+CGREG' | '+CEREG';

const located = (stat: number): boolean => stat === 1 || stat === 5;

/** <AcT> of the RAT the module runs on (7 LTE-M, 9 NB-IoT). */
export function currentAct(module: ModuleHost): number {
  const forced = module.services.network.options.accessTechnology;
  if (forced !== undefined) return forced;
  const rat = module.services.radio.currentRat;
  return module.model.network.actByRat[rat] ?? rat;
}

function location(module: ModuleHost): string {
  const o = module.services.network.options;
  return `${q(o.tac)},${q(o.cellId)},${currentAct(module)}`;
}

/** Active-Time and Periodic-TAU as granted: the network grants what the module asked for. */
function psmTimers(module: ModuleHost): string | undefined {
  const psm = module.services.powerSaving.psm;
  return psm.enabled ? `,,,${q(psm.activeTime)},${q(psm.periodicTau)}` : undefined;
}

/** What follows `<stat>` for presentation mode `n`, in reads and URCs alike. */
function details(cmd: RegCommand, n: number, module: ModuleHost): string {
  const stat = module.services.network.stat;
  if (n < 2 || !located(stat)) return '';
  const timers = cmd === '+CEREG' && n >= 4 ? (psmTimers(module) ?? '') : '';
  return `,${location(module)}${timers}`;
}

export function registrationRead(cmd: RegCommand, n: number, module: ModuleHost): string {
  return `${cmd}: ${n},${module.services.network.stat}${details(cmd, n, module)}`;
}

/** The URC for a terminal in mode `n`, or nothing when it asked for none. */
export function registrationUrc(cmd: RegCommand, n: number, module: ModuleHost): string | undefined {
  if (n === 0) return undefined;
  return `${cmd}: ${module.services.network.stat}${details(cmd, n, module)}`;
}
