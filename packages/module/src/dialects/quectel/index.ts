import type { Dialect } from '../types.js';
import { QUECTEL_MAX_REG_MODE, quectelBasicCommands } from './basic.js';
import { defaultContextCommands } from './default-context.js';
import { QuectelCme, quectelErrorText } from './errors.js';
import { wireQsslUrcs } from './ssl.js';
import { sslConfigCommands } from './ssl-config.js';
import { sslCommands } from './ssl.js';
import { wireRegistrationUrcs } from '../shared/registration.js';

/** Quectel's AT language (BC66): 3GPP basics and the SSL commands of seed 004. */
export const quectelDialect: Dialect = {
  id: 'quectel',
  commands: [...quectelBasicCommands, ...defaultContextCommands, ...sslConfigCommands, ...sslCommands],
  sessionDefaults: { echo: true, verbose: true, cmee: 0 },
  errorText: quectelErrorText,
  errors: {
    badParameter: QuectelCme.badParameter,
    formNotSupported: QuectelCme.notSupported,
    internal: QuectelCme.unknown,
  },
  // Quectel prompts are '>' and a space at the start of a line.
  promptText: (char) => `\r\n${char} `,
  wire(module) {
    wireRegistrationUrcs(module, ['+CEREG'], QUECTEL_MAX_REG_MODE);
    wireQsslUrcs(module);
  },
};
