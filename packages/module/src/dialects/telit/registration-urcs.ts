import type { ModuleHost } from '../../module-host.js';
import { registrationUrc, type RegCommand } from '../ublox/registration-format.js';

/** Telit's registration reports: CS (+CREG) and PS (+CGREG), modes 0-2 (27.007 §7.2, §10.1.20). */
const REGISTRATION: readonly RegCommand[] = ['+CREG', '+CGREG'];
const MODES = [0, 1, 2];

/**
 * +CREG/+CGREG URCs on registration changes of the shared network service, in each AT
 * terminal's own mode: 1 `+CGREG: <stat>`, 2 adds `"<lac>","<ci>",<AcT>` while registered.
 * The text is the u-blox dialect's (the same 27.007 grammar), built when the change happens.
 */
export function wireTelitRegistrationUrcs(module: ModuleHost): void {
  // Prepended so the report comes before what the same change causes (a dropped connection...).
  module.services.network.prependListener('registration', () => {
    for (const cmd of REGISTRATION) {
      const texts = MODES.map((n) => registrationUrc(cmd, n, module));
      module.urc((session) => texts[session.urcMode(cmd)]);
    }
  });
}
