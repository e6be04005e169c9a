import { cmuxCommand } from '../shared/cmux.js';
import type { Dialect } from '../types.js';
import { TELIT_MAX_REG_MODE, TELIT_REGISTRATION, telitBasicCommands, telitIdentityCommands } from './basic.js';
import { telitClockCommands, wireTelitClock } from './clock.js';
import { TelitCme, telitErrorText } from './errors.js';
import { ftpCommands } from './ftp.js';
import { telitPdpCommands } from './pdp.js';
import { releaseSsl, sslCommands } from './ssl.js';
import { wireRegistrationUrcs } from '../shared/registration.js';
import { wireTelitUrcs } from './urcs.js';

/**
 * Telit's AT language (GC/GE/GL/GT and HE910/UE910 families, seed 003): V.250 and 3GPP
 * basics, +CGDCONT/#SGACT, and the #SSL* secure socket. Products differ by their model
 * table (models/telit.ts), never by code.
 */
export const telitDialect: Dialect = {
  id: 'telit',
  commands: [...telitBasicCommands, ...telitIdentityCommands, ...telitPdpCommands, ...sslCommands, ...ftpCommands, ...telitClockCommands, cmuxCommand({ notAllowed: TelitCme.notAllowed, badParameter: TelitCme.notSupported })],
  sessionDefaults: { echo: true, verbose: true, cmee: 0 },
  errorText: telitErrorText,
  errors: {
    // Telit answers a parameter it does not accept with "operation not supported".
    badParameter: TelitCme.notSupported,
    formNotSupported: TelitCme.notSupported,
    internal: TelitCme.unknown,
  },
  promptText: (char) => `\r\n${char} `,
  wire(module) {
    wireTelitUrcs(module);
    // +CREG/+CGREG: `<stat>`, mode 2 adds "<lac>","<ci>",<AcT> while registered.
    wireRegistrationUrcs(module, TELIT_REGISTRATION, TELIT_MAX_REG_MODE);
    wireTelitClock(module);
  },
  terminalClosed: releaseSsl,
};
