import type { TerminalSession } from '../../engine/session.js';
import type { ModelTable } from '../../models/types.js';
import type { ModuleServices } from '../../services/index.js';

/**
 * The parts of its module a shared 27.007 factory reads. Narrow on purpose: the module
 * (and any host that stands for it) satisfies it structurally, so the factories never name
 * the composition root.
 */
export interface NetworkView {
  readonly model: Pick<ModelTable, 'network'>;
  readonly services: Pick<ModuleServices, 'network' | 'radio' | 'powerSaving'>;
}

/** A URC for every terminal; a function renders it per terminal (its report mode). */
export type UrcSource = string | ((session: TerminalSession) => string | undefined);

/** Where a dialect's URC wiring sends what it renders. */
export interface UrcRouter {
  urc(source: UrcSource): void;
}
